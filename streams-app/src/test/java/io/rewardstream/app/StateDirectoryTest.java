package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {

  @TempDir Path root;

  @Test
  void instancesOnOneHostClaimTheirOwnDirectoriesAndARestartReusesItsOwn() {
    // Given: two instances running under the same root
    try (StateDirectory first = StateDirectory.claimFree(root);
        StateDirectory second = StateDirectory.claimFree(root)) {
      assertThat(first.dir()).isEqualTo(root.resolve("instance-0"));
      assertThat(second.dir()).isEqualTo(root.resolve("instance-1"));

      // When: the first stops and starts again
      first.close();
      try (StateDirectory restarted = StateDirectory.claimFree(root)) {
        // Then: it gets its old directory back, with whatever state it left there
        assertThat(restarted.dir()).isEqualTo(root.resolve("instance-0"));
      }
    }
  }

  @Test
  void aConfiguredDirectoryInUseIsRefusedNamingTheKey() {
    try (StateDirectory held = StateDirectory.claimExactly(root.resolve("shared"))) {
      assertThatThrownBy(() -> StateDirectory.claimExactly(held.dir()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("state.dir=" + held.dir())
          .hasMessageContaining("another RewardStream instance");
    }
  }
}
