package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.scoring.Rejection;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RejectionTest {

  @Test
  void aNullRequiredFieldIsMissing() {
    // The builder refuses nulls; a hand-made record (or a lenient decoder) may not.
    RolloutPair pair = RewardTopologyTest.pair("r1").build();
    pair.setPolicyVersion(null);

    Rejection rejection = Rejection.checkFields(pair).orElseThrow();

    assertThat(rejection.code()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(rejection.reason()).isEqualTo("field 'policy_version' is missing");
  }

  @Test
  void aBlankFieldIsEmpty() {
    RolloutPair pair = RewardTopologyTest.pair("r1").setPrompt("").build();

    Rejection rejection = Rejection.checkFields(pair).orElseThrow();

    assertThat(rejection.code()).isEqualTo(DeadLetterReason.EMPTY_FIELD);
    assertThat(rejection.reason()).contains("'prompt'").contains("length 0");
  }

  @Test
  void aCompletePairPasses() {
    assertThat(Rejection.checkFields(RewardTopologyTest.pair("r1").build())).isEmpty();
  }

  @Test
  void aWriterSchemaWithoutARequiredFieldIsMissingNotUndecodable() {
    var avro =
        new AvroTypeException(
            "Found io.rewardstream.avro.RolloutPair, expecting io.rewardstream.avro.RolloutPair,"
                + " missing required field policy_version");
    var e = new SerializationException("INCOMPATIBLE: cannot decode", avro);

    Rejection rejection = Rejection.undecodable(e);

    assertThat(rejection.code()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(rejection.reason()).contains("'policy_version'");
  }

  @Test
  void otherDecodingErrorsAreUndecodable() {
    Rejection rejection = Rejection.undecodable(new SerializationException("NOT_SINGLE_OBJECT"));

    assertThat(rejection.code()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(rejection.reason()).contains("NOT_SINGLE_OBJECT");
  }
}
