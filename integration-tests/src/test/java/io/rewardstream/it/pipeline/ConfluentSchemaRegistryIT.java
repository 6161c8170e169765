package io.rewardstream.it.pipeline;

import io.rewardstream.it.ApicurioRegistry;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.RegistryHttp;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link SchemaRegistryIT}'s scenarios against Confluent Schema Registry (the {@code
 * confluentinc/cp-schema-registry} image), the registry most Kafka tools are built for. It runs in
 * the host's network so that it reaches the embedded broker on 127.0.0.1 and listens there itself.
 * Reported as skipped where no Docker engine is available (as on the machine this project is built
 * on, where it has never run; Apicurio Registry is the target that always runs).
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentSchemaRegistryIT {

  static final DockerImageName IMAGE =
      DockerImageName.parse("confluentinc/cp-schema-registry:7.7.1");

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void theRegistryScenariosPassAgainstConfluentSchemaRegistry() throws Exception {
    int port = ApicurioRegistry.freePort();
    try (GenericContainer<?> registry =
        new GenericContainer<>(IMAGE)
            .withNetworkMode("host")
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "127.0.0.1")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://127.0.0.1:" + port)
            .withEnv(
                "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS",
                "PLAINTEXT://" + kafka.bootstrapServers())
            .waitingFor(
                Wait.forLogMessage(".*Server started, listening for requests.*", 1)
                    .withStartupTimeout(Duration.ofMinutes(3)))) {
      registry.start();
      RegistryHttp http = new RegistryHttp("http://127.0.0.1:" + port);
      Path work = Pipelines.tempDir("confluent-registry");
      SchemaRegistryIT.scoresAMixedTopic(kafka, http, work, "confluent");
      SchemaRegistryIT.refusedSchemaStopsProduce(kafka, http, work);
    }
  }
}
