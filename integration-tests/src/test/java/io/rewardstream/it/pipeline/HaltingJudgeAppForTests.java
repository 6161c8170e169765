package io.rewardstream.it.pipeline;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import java.nio.file.Path;
import java.util.List;

/**
 * A test-only main for a child JVM: the app with the bundled judge, except that a batch holding a
 * pair whose prompt contains {@code args[1]} kills the process on the spot ({@link Runtime#halt},
 * no shutdown hook, no close: what a native crash in the runtime or the OOM killer does). Named as
 * the stand-in it is; never part of the product.
 *
 * <p>Usage: {@code HaltingJudgeAppForTests <app.properties> <marker>}
 */
public final class HaltingJudgeAppForTests {

  private HaltingJudgeAppForTests() {}

  public static void main(String[] args) throws InterruptedException {
    AppConfig config = AppConfig.load(Path.of(args[0]));
    String marker = args[1];
    Judge real = RewardStreamApp.openJudge(config);
    Judge halting =
        new JudgeWrapperForTests(real) {
          @Override
          void beforeCall(List<PairInput> batch) {
            for (PairInput pair : batch) {
              if (pair.prompt().contains(marker)) {
                System.out.println(
                    "HALTING on " + pair.rolloutId() + " (batch of " + batch.size() + ")");
                System.out.flush();
                Runtime.getRuntime().halt(134);
              }
            }
          }
        };
    RewardStreamApp app = RewardStreamApp.start(config, halting);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    Thread.currentThread().join();
  }
}
