package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommitBudgetTest {

  private static final long MS = 1_000_000L;

  @Test
  void oneBatchPerCommitGrantsOneBatchUntilTheCommit() {
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    assertThat(budget.tryAcquire()).isTrue();
    budget.finished(MS);
    assertThat(budget.tryAcquire()).isFalse();
    assertThat(budget.batchesPerTransaction()).isEqualTo(1);
    budget.transactionCommitted();
    assertThat(budget.tryAcquire()).isTrue();
  }

  @Test
  void withinTimeGrantsBatchesWhileTheirMeasuredTimesFitTheBudget() {
    CommitBudget budget = CommitBudget.withinTime(100);
    assertThat(budget.batchesPerTransaction()).isEqualTo(1); // nothing measured yet
    assertThat(budget.tryAcquire()).isTrue();
    // not before the batch reported its time
    assertThat(budget.available()).isFalse();
    budget.finished(30 * MS);
    assertThat(budget.batchesPerTransaction()).isEqualTo(3);
    assertThat(budget.tryAcquire()).isTrue(); // 30 + 30 <= 100
    budget.finished(30 * MS);
    assertThat(budget.tryAcquire()).isTrue(); // 60 + 30 <= 100
    budget.finished(30 * MS);
    assertThat(budget.tryAcquire()).isFalse(); // 90 + 30 > 100
    assertThat(budget.batchesDeferred()).isEqualTo(1);
    budget.transactionCommitted();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.batchesGranted()).isEqualTo(4);
  }

  @Test
  void aFastJudgeStillGetsAtMostFourBatchesAndASlowOneOne() {
    CommitBudget fast = CommitBudget.withinTime(100);
    int granted = 0;
    while (fast.tryAcquire()) {
      fast.finished(1);
      granted++;
    }
    assertThat(granted).isEqualTo(CommitBudget.MAX_BATCHES_PER_TRANSACTION);
    assertThat(fast.batchesPerTransaction()).isEqualTo(CommitBudget.MAX_BATCHES_PER_TRANSACTION);

    CommitBudget slow = CommitBudget.withinTime(100);
    assertThat(slow.tryAcquire()).isTrue();
    slow.finished(150 * MS);
    assertThat(slow.tryAcquire()).isFalse();
    assertThat(slow.batchesPerTransaction()).isEqualTo(1);
  }

  @Test
  void anAbortStartsAFreshTransaction() {
    CommitBudget budget = CommitBudget.withinTime(100);
    assertThat(budget.tryAcquire()).isTrue();
    budget.finished(90 * MS);
    assertThat(budget.tryAcquire()).isFalse();
    budget.transactionEnded();
    assertThat(budget.tryAcquire()).isTrue();
  }
}
