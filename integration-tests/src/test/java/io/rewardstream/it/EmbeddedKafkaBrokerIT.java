package io.rewardstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker itself: a released Kafka version, reachable on loopback only, topics led
 * before {@code createTopics} returns, and no data left behind.
 */
class EmbeddedKafkaBrokerIT {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBrokerIT.class);

  @Test
  void startsOnLoopbackCreatesLedTopicsAndCleansUp() throws Exception {
    // Step 1: start a broker of our own (this class tests the broker, not the harness).
    long started = System.nanoTime();
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start();
    log.info(
        "embedded broker started in {} ms",
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    Path data = broker.dataDirectory();
    try {
      String bootstrap = broker.bootstrapServers();
      int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
      assertThat(bootstrap).startsWith("127.0.0.1:");
      assertThat(Files.isDirectory(data)).isTrue();

      // Step 2: reachable on 127.0.0.1, refused on every other local address.
      assertThat(connects(InetAddress.getLoopbackAddress(), port)).isTrue();
      for (InetAddress outside : nonLoopbackAddresses()) {
        assertThat(connects(outside, port)).as("listening on %s", outside).isFalse();
      }

      // Step 3: TopicCreator returns only when every partition has a leader.
      TopicCreator.createTopics(
          KafkaConnection.of(bootstrap), Map.of("led-a", 4, "led-b", 1), Optional.of((short) 1));
      TopicCreator.createTopics(
          KafkaConnection.of(bootstrap), Map.of("led-c", 2), Optional.of((short) 1));
      // already there: no error
      TopicCreator.createTopics(
          KafkaConnection.of(bootstrap), Map.of("led-a", 4), Optional.of((short) 1));
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Map<String, TopicDescription> topics =
            admin.describeTopics(List.of("led-a", "led-b", "led-c")).allTopicNames().get();
        assertThat(topics.get("led-a").partitions()).hasSize(4);
        assertThat(topics.values())
            .flatMap(TopicDescription::partitions)
            .extracting(TopicPartitionInfo::leader)
            .allSatisfy(leader -> assertThat(leader.isEmpty()).isFalse());
        assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
        assertThat(AppInfoParser.getVersion()).startsWith("4.");
      }
    } finally {
      broker.close();
    }

    // Step 4: close removes the data; a closed broker says so instead of returning stale data.
    assertThat(Files.exists(data)).isFalse();
    assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesListenerOverrides() {
    assertThatThrownBy(
            () -> new EmbeddedKafkaBroker(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listeners=PLAINTEXT://0.0.0.0:9092");
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .toList();
  }
}
