package io.rewardstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(3.0, Stats.median(List.of(5.0, 1.0, 3.0)));
    assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
  }

  @Test
  void percentilesInterpolateBetweenRanks() {
    List<Double> values = List.of(10.0, 20.0, 30.0, 40.0, 50.0);
    assertEquals(10.0, Stats.percentile(values, 0));
    assertEquals(50.0, Stats.percentile(values, 100));
    assertEquals(48.0, Stats.percentile(values, 95), 1e-9);
  }

  @Test
  void emptyIsNaN() {
    assertTrue(Double.isNaN(Stats.median(List.of())));
  }
}
