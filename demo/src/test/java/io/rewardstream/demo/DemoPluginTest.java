package io.rewardstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.cli.RewardStreamCli;
import org.junit.jupiter.api.Test;

/** The demo joins the product's command line when its jar is on the classpath (ServiceLoader). */
class DemoPluginTest {

  @Test
  void demoIsASubcommandWhenItsModuleIsOnTheClasspath() {
    assertThat(RewardStreamCli.commandLine().getSubcommands())
        .containsKeys("run", "demo")
        .doesNotContainKey("bench");
  }
}
