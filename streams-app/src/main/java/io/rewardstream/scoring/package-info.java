/**
 * What turns rollout pairs into reward results and dead letters, shared by the streaming topology
 * and replay so that both validate, score and map exactly alike: input checks ({@link
 * io.rewardstream.scoring.Rejection}), batch scoring that never throws ({@link
 * io.rewardstream.scoring.BatchScorer}), the Verdict to RewardResult mapping ({@link
 * io.rewardstream.scoring.RewardResults}) and the DeadLetter builder. No Kafka here.
 */
package io.rewardstream.scoring;
