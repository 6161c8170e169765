package io.rewardstream.inference;

import java.util.List;
import java.util.function.Consumer;

/**
 * Work for the engine's continuous batch. Submit requests, then {@link #run} decodes until all of
 * them, and everything their callbacks submitted, have completed. A request starts as soon as the
 * batch has room, not when the previous batch ends: the judge submits a pair's reflections from the
 * callback that completes its judgments, so they run while other pairs are still judging.
 *
 * <p>Single-threaded on purpose: callbacks run on the thread in {@link #run}, between decode steps,
 * in a deterministic order, and the tokens of a request depend only on its prompt, parameters and
 * seeds (never on what else shares the batch), so results do not depend on the schedule. An
 * exception in a callback or the engine ends {@code run}; what was still queued is dropped.
 */
public final class GenerationQueue {

  private final Generator.Queue queue;

  GenerationQueue(Generator.Queue queue) {
    this.queue = queue;
  }

  /**
   * Queues a request; {@code whenDone} receives its generations, in sample order, on the thread
   * running {@link #run}, and may submit more work.
   *
   * @throws InferenceException when the prompt does not fit the context window
   */
  public void submit(GenerationRequest request, Consumer<List<Generation>> whenDone) {
    queue.submit(request, whenDone);
  }

  /** Decodes until nothing is queued or running. */
  public void run() {
    queue.run();
  }

  /** Decode steps so far (every running row advances one token per step). */
  public long steps() {
    return queue.steps();
  }

  /** How often waiting requests joined a batch that was already running. */
  public long joins() {
    return queue.joins();
  }
}
