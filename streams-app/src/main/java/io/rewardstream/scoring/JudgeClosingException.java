package io.rewardstream.scoring;

/**
 * Thrown by the app's judge wrapper to a judge call that starts after shutdown began. {@link
 * BatchScorer} lets it through instead of turning it into FAILED verdicts: the stream thread stops,
 * its transaction is aborted, and the pairs stay buffered for whoever owns the partition next.
 */
public final class JudgeClosingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JudgeClosingException() {
    super("the app is shutting down: no new judge call");
  }
}
