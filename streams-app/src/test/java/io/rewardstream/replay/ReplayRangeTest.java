package io.rewardstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReplayRangeTest {

  /** Partition p holds offsets [10p, 100 + 10p); record i of it has timestamp 1000 * i. */
  private static final ReplayRange.OffsetLookup LOG =
      new ReplayRange.OffsetLookup() {
        @Override
        public long beginning(int p) {
          return 10L * p;
        }

        @Override
        public long end(int p) {
          return 100 + 10L * p;
        }

        @Override
        public OptionalLong offsetForTime(int p, long epochMs) {
          long offset = (epochMs + 999) / 1000;
          return offset < end(p)
              ? OptionalLong.of(Math.max(offset, beginning(p)))
              : OptionalLong.empty();
        }
      };

  @Test
  void parsesEveryForm() {
    assertThat(RangeBound.parse("--from", "beginning")).isEqualTo(new RangeBound.Beginning());
    assertThat(RangeBound.parse("--from", " EARLIEST ")).isEqualTo(new RangeBound.Beginning());
    assertThat(RangeBound.parse("--to", "end")).isEqualTo(new RangeBound.End());
    assertThat(RangeBound.parse("--from", "1200")).isEqualTo(new RangeBound.AtOffset(1200));
    assertThat(RangeBound.parse("--from", "2026-01-01T00:00:00Z"))
        .isEqualTo(new RangeBound.AtTime(Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(RangeBound.parse("--from", "1:5,0:7"))
        .isEqualTo(new RangeBound.PerPartition(Map.of(0, 7L, 1, 5L)));
  }

  @Test
  void refusesWhatIsNoBoundNamingTheOption() {
    for (String bad : List.of("", "yesterday", "-5", "0:1,0:2", "2026-01-01", "1:")) {
      assertThatThrownBy(() -> RangeBound.parse("--to", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--to '" + bad + "'");
    }
  }

  @Test
  void offsetsApplyToEveryPartitionAndAreClampedToTheLog() {
    ReplayRange range =
        ReplayRange.resolve(
            "rollouts",
            List.of(0, 1, 2),
            new RangeBound.AtOffset(15),
            new RangeBound.AtOffset(105),
            LOG);

    // p0: [15, 100) (to clamped to the end); p1: [15, 105); p2: from clamped to its start 20.
    assertThat(range.spans())
        .containsExactly(
            Map.entry(0, new ReplayRange.Span(15, 100)),
            Map.entry(1, new ReplayRange.Span(15, 105)),
            Map.entry(2, new ReplayRange.Span(20, 105)));
    assertThat(range.size()).isEqualTo(85 + 90 + 85);
  }

  @Test
  void timesUseTheFirstOffsetAtOrAfterAndEndWhenNone() {
    ReplayRange range =
        ReplayRange.resolve(
            "rollouts",
            List.of(0),
            RangeBound.parse("--from", Instant.ofEpochMilli(4_500).toString()),
            RangeBound.parse("--to", Instant.ofEpochMilli(500_000).toString()),
            LOG);

    assertThat(range.spans()).containsExactly(Map.entry(0, new ReplayRange.Span(5, 100)));
  }

  @Test
  void perPartitionBoundsFallBackToTheLogForPartitionsNotNamed() {
    ReplayRange range =
        ReplayRange.resolve(
            "rollouts",
            List.of(0, 1),
            RangeBound.parse("--from", "1:50"),
            RangeBound.parse("--to", "0:30"),
            LOG);

    assertThat(range.spans())
        .containsExactly(
            Map.entry(0, new ReplayRange.Span(0, 30)), Map.entry(1, new ReplayRange.Span(50, 110)));
  }

  @Test
  void aToBeforeFromIsAnEmptySpanAndBeginningEndCoverTheLog() {
    assertThat(
            ReplayRange.resolve(
                    "t", List.of(0), new RangeBound.AtOffset(50), new RangeBound.AtOffset(40), LOG)
                .size())
        .isZero();
    assertThat(
            ReplayRange.resolve(
                    "t", List.of(1), new RangeBound.Beginning(), new RangeBound.End(), LOG)
                .spans())
        .containsExactly(Map.entry(1, new ReplayRange.Span(10, 110)));
  }

  @Test
  void aPerPartitionBoundNamingAPartitionNotReplayedIsRefused() {
    assertThatThrownBy(
            () ->
                ReplayRange.resolve(
                    "t", List.of(0), RangeBound.parse("--from", "3:5"), new RangeBound.End(), LOG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--from names partition 3");
  }
}
