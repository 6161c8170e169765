/**
 * Replay and compare: re-score a bounded range of old rollouts with a (new) judge into a topic of
 * its own ({@link io.rewardstream.replay.Replayer}), then join two rewards topics by rollout_id and
 * report agreement, verdict flips and reward deltas ({@link io.rewardstream.replay.Comparison},
 * {@link io.rewardstream.replay.ComparisonReport}, {@link io.rewardstream.replay.HtmlReport}).
 *
 * <p>Depends on {@code schemas}, {@code judge} and the shared {@code scoring} mapping, never on the
 * streaming topology. The core ({@link io.rewardstream.replay.ReplayScorer}, ranges, comparison,
 * reports) has no Kafka import; {@code Replayer} and {@code CommittedReader} are the Kafka edges.
 */
package io.rewardstream.replay;
