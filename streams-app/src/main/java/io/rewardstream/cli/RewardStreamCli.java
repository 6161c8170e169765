package io.rewardstream.cli;

/** Placeholder entry point; replaced by the picocli command tree. */
public final class RewardStreamCli {
  public static void main(String[] args) {}
}
