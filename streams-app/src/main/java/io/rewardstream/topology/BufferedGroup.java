package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.judge.Verdict;
import io.rewardstream.judge.group.Comparison;
import io.rewardstream.judge.group.GroupRanker;
import io.rewardstream.judge.group.Match;
import io.rewardstream.scoring.DeadLetters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A valid rollout group in the group buffer, with its provenance and the comparisons judged so far.
 *
 * <p>A group's comparisons are judged over several transactions (at most one judge batch per
 * transaction), so its progress lives here, in the changelogged store: after a crash the next owner
 * of the partition resumes from the comparisons that were committed, and the strategy (a pure
 * function of them) asks for the same remaining ones. The result is emitted, and the group deleted,
 * in the transaction that judges its last comparison.
 *
 * @param group the decoded group
 * @param sourceTopic input topic
 * @param sourcePartition input partition
 * @param sourceOffset input offset
 * @param arrivalMs when validation accepted it (wall clock)
 * @param originalKey the record key as received
 * @param originalValue the record value as received (for a dead letter)
 * @param judged the comparisons judged so far, failed ones included
 */
public record BufferedGroup(
    RolloutGroup group,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset,
    long arrivalMs,
    byte[] originalKey,
    byte[] originalValue,
    List<Comparison> judged)
    implements Buffered {

  private static final byte FORMAT_VERSION = 1;

  public BufferedGroup {
    judged = List.copyOf(judged);
  }

  /** The same group with more comparisons judged. */
  BufferedGroup withJudged(List<Comparison> more) {
    List<Comparison> all = new ArrayList<>(judged);
    all.addAll(more);
    return new BufferedGroup(
        group,
        sourceTopic,
        sourcePartition,
        sourceOffset,
        arrivalMs,
        originalKey,
        originalValue,
        all);
  }

  /** The strategy's seed for this group: derived from its id alone, so any instance agrees. */
  long seed() {
    return GroupRanker.seedOf(group.getGroupId());
  }

  /** The number of responses. */
  int size() {
    return group.getResponses().size();
  }

  /** A dead letter for this group with its provenance and original bytes. */
  DeadLetter deadLetter(DeadLetterReason code, String reason, long failedAtMs) {
    return DeadLetters.ofGroup(
        code,
        reason,
        group,
        sourceTopic,
        sourcePartition,
        sourceOffset,
        originalKey,
        originalValue,
        failedAtMs);
  }

  /**
   * The store's value serde. Layout, big-endian: version byte (1); source topic (modified UTF-8);
   * partition (int); offset (long); arrival ms (long); original key, original value and the group
   * (Avro single-object encoded) each as an int length (-1 = null) and bytes; then the number of
   * judged comparisons and each as: i, j, round (ints), outcome byte (0 A, 1 B, 2 TIE, 3 failed),
   * p_a_better (double), position consistency (flag byte, double), analysis and failure reason
   * (UTF-8 bytes, -1 = null), generations (int), tokens (long).
   */
  public static Serde<BufferedGroup> serde() {
    return Serdes.serdeFrom(
        (topic, value) -> value == null ? null : encode(value),
        (topic, bytes) -> bytes == null ? null : decode(bytes));
  }

  private static byte[] encode(BufferedGroup value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeUTF(value.sourceTopic);
      out.writeInt(value.sourcePartition);
      out.writeLong(value.sourceOffset);
      out.writeLong(value.arrivalMs);
      BufferedPair.writeBytes(out, value.originalKey);
      BufferedPair.writeBytes(out, value.originalValue);
      ByteBuffer group = value.group.toByteBuffer();
      byte[] groupBytes = new byte[group.remaining()];
      group.get(groupBytes);
      BufferedPair.writeBytes(out, groupBytes);
      out.writeInt(value.judged.size());
      for (Comparison c : value.judged) {
        writeComparison(out, c);
      }
    } catch (IOException e) {
      throw new SerializationException(
          "cannot encode buffered group " + value.group.getGroupId(), e);
    }
    return bytes.toByteArray();
  }

  private static void writeComparison(DataOutputStream out, Comparison c) throws IOException {
    out.writeInt(c.match().i());
    out.writeInt(c.match().j());
    out.writeInt(c.match().round());
    out.writeByte(c.preferred() == null ? 3 : c.preferred().ordinal());
    out.writeDouble(c.pABetter());
    out.writeBoolean(c.positionConsistency() != null);
    out.writeDouble(c.positionConsistency() == null ? 0 : c.positionConsistency());
    BufferedPair.writeBytes(out, utf8(c.analysis()));
    BufferedPair.writeBytes(out, utf8(c.failureReason()));
    out.writeInt(c.generations());
    out.writeLong(c.tokens());
  }

  private static BufferedGroup decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != FORMAT_VERSION) {
        throw new SerializationException("unknown buffered group format version " + version);
      }
      String topic = in.readUTF();
      int partition = in.readInt();
      long offset = in.readLong();
      long arrival = in.readLong();
      byte[] key = BufferedPair.readBytes(in);
      byte[] value = BufferedPair.readBytes(in);
      RolloutGroup group = RolloutGroup.fromByteBuffer(ByteBuffer.wrap(BufferedPair.readBytes(in)));
      int count = in.readInt();
      List<Comparison> judged = new ArrayList<>(count);
      for (int k = 0; k < count; k++) {
        judged.add(readComparison(in));
      }
      return new BufferedGroup(group, topic, partition, offset, arrival, key, value, judged);
    } catch (IOException e) {
      throw new SerializationException("cannot decode buffered group (" + bytes.length + " B)", e);
    }
  }

  private static Comparison readComparison(DataInputStream in) throws IOException {
    Match match = new Match(in.readInt(), in.readInt(), in.readInt());
    int outcome = in.readByte();
    double p = in.readDouble();
    boolean hasConsistency = in.readBoolean();
    double consistency = in.readDouble();
    String analysis = text(BufferedPair.readBytes(in));
    String failure = text(BufferedPair.readBytes(in));
    return new Comparison(
        match,
        outcome == 3 ? null : Verdict.Preference.values()[outcome],
        p,
        hasConsistency ? consistency : null,
        analysis,
        failure,
        in.readInt(),
        in.readLong());
  }

  private static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
