package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordLinesTest {

  @Test
  void recognisesTheRecordTypeFromItsBytes() {
    RolloutPair pair =
        RolloutPair.newBuilder()
            .setRolloutId("r-1")
            .setPrompt("What is\n2+2?")
            .setResponseA("4")
            .setResponseB("5")
            .setPolicyVersion("p")
            .setProducedAt(Instant.EPOCH)
            .build();
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setReasonCode(DeadLetterReason.EMPTY_FIELD)
            .setReason("field 'prompt' is empty")
            .setRolloutId("r-2")
            .setSourceTopic("rollouts")
            .setSourcePartition(1)
            .setSourceOffset(7)
            .setFailedAt(Instant.EPOCH)
            .build();

    String rollout =
        RecordLines.format("t", AvroSerdes.rolloutPair().serializer().serialize("t", pair));
    String dead =
        RecordLines.format("t", AvroSerdes.deadLetter().serializer().serialize("t", letter));

    assertThat(rollout).startsWith("rollout r-1 policy=p prompt=\"What is 2+2?\"");
    assertThat(dead)
        .isEqualTo("dead    r-2 EMPTY_FIELD from rollouts-1@7: field 'prompt' is empty");
  }

  @Test
  void aDeadLetterWithoutRolloutIdShowsItsOriginalKey() {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setReasonCode(DeadLetterReason.UNDECODABLE)
            .setReason("value is not a RolloutPair")
            .setSourceTopic("rollouts")
            .setSourcePartition(0)
            .setSourceOffset(3)
            .setOriginalKey(java.nio.ByteBuffer.wrap("k-9".getBytes(StandardCharsets.UTF_8)))
            .setFailedAt(Instant.EPOCH)
            .build();

    assertThat(RecordLines.format(letter))
        .startsWith("dead    (key k-9) UNDECODABLE from rollouts-0@3");
  }

  @Test
  void showsWhatItCannotDecode() {
    assertThat(RecordLines.format("t", "hello".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("(not a RewardStream record: 5 bytes, starting 68 65 6c 6c 6f)");
    assertThat(RecordLines.format("t", null)).isEqualTo("(tombstone: null value)");
  }

  @Test
  void excerptsAreOneLineAndBounded() {
    assertThat(RecordLines.excerpt("a\n b\tc", 10)).isEqualTo("a b c");
    assertThat(RecordLines.excerpt("abcdefghijkl", 8)).isEqualTo("abcde...");
    assertThat(RecordLines.excerpt(null, 8)).isEmpty();
  }
}
