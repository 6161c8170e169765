package io.rewardstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The start-up check of every command that talks to Kafka: the cluster answers within a bounded
 * time, accepts the credentials, and has the topics the command needs. Each failure is one message
 * naming the setting and the fix, instead of connection warnings logged forever or a fatal Kafka
 * Streams error that only says "see above".
 */
public final class KafkaPreflight {

  /** How long the cluster has to answer before a command gives up. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /**
   * A topic a command needs.
   *
   * @param topic its name
   * @param setting the option or key that names it, for the message
   */
  public record Need(String topic, String setting) {}

  /** How much longer than the admin client's own timeout the wait for its answer is. */
  private static final int BACKSTOP_MS = 2_000;

  private KafkaPreflight() {}

  /**
   * Checks the cluster and the topics.
   *
   * @param clientConfig bootstrap servers and security settings (other keys are ignored)
   * @throws KafkaPreflightException with the one-line reason
   */
  public static void check(Map<String, Object> clientConfig, List<Need> topics, Duration timeout) {
    String bootstrap = String.valueOf(clientConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    int ms = Math.toIntExact(timeout.toMillis());
    Map<String, Object> config = new HashMap<>();
    clientConfig.forEach(
        (k, v) -> {
          if (AdminClientConfig.configNames().contains(k) || k.startsWith("config.providers")) {
            config.put(k, v);
          }
        });
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    try (Admin admin = Admin.create(config)) {
      try {
        // The admin client's own timeout (default.api.timeout.ms = the timeout) ends the call;
        // this wait is longer, only a backstop, so one timeout decides and names the cause.
        admin.describeCluster().nodes().get(ms + BACKSTOP_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw unreachable(bootstrap, timeout);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
          throw unreachable(bootstrap, timeout);
        }
        throw e;
      }
      Map<String, TopicDescription> found = describe(admin, topics, ms, bootstrap);
      List<String> missing = new ArrayList<>();
      for (Need need : topics) {
        if (!found.containsKey(need.topic())) {
          missing.add("'" + need.topic() + "' (" + need.setting() + ")");
        }
      }
      if (!missing.isEmpty()) {
        throw new KafkaPreflightException(
            "topic"
                + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing)
                + (missing.size() > 1 ? " do" : " does")
                + " not exist on "
                + bootstrap
                + ": create "
                + (missing.size() > 1 ? "them" : "it")
                + " (deploy/k8s has the Strimzi KafkaTopics; docs/deploy.md lists partitions and"
                + " settings) or point the setting at the right topic");
      }
    } catch (ExecutionException e) {
      throw explain(e.getCause(), bootstrap);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaPreflightException("interrupted while checking Kafka at " + bootstrap);
    } catch (TimeoutException e) {
      throw new KafkaPreflightException(
          "Kafka at "
              + bootstrap
              + " did not describe the topics within "
              + timeout.toSeconds()
              + " s");
    } catch (org.apache.kafka.common.KafkaException e) {
      throw explain(e, bootstrap);
    }
  }

  private static KafkaPreflightException unreachable(String bootstrap, Duration timeout) {
    return new KafkaPreflightException(
        "cannot reach Kafka at "
            + bootstrap
            + " within "
            + timeout.toSeconds()
            + " s: check --bootstrap-servers / bootstrap.servers, that the brokers are up,"
            + " and security.protocol (a SASL or TLS listener does not answer a PLAINTEXT"
            + " client; set it in --client-config)");
  }

  private static Map<String, TopicDescription> describe(
      Admin admin, List<Need> topics, int ms, String bootstrap)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<String, TopicDescription> found = new LinkedHashMap<>();
    var futures = admin.describeTopics(topics.stream().map(Need::topic).distinct().toList());
    for (var entry : futures.topicNameValues().entrySet()) {
      try {
        found.put(entry.getKey(), entry.getValue().get(ms, TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return found;
  }

  /** The one line for a client failure, naming the setting to fix. */
  static KafkaPreflightException explain(Throwable cause, String bootstrap) {
    if (cause instanceof SaslAuthenticationException) {
      return new KafkaPreflightException(
          "Kafka at "
              + bootstrap
              + " refused the credentials ("
              + cause.getMessage()
              + "): check sasl.mechanism and the username/password in sasl.jaas.config (in"
              + " --client-config, or "
              + KafkaConnection.ENV_PREFIX
              + "SASL_JAAS_CONFIG)");
    }
    if (cause instanceof SslAuthenticationException) {
      return new KafkaPreflightException(
          "TLS handshake with Kafka at "
              + bootstrap
              + " failed ("
              + cause.getMessage()
              + "): check ssl.truststore.location/ssl.truststore.password (and the keystore for"
              + " mutual TLS) in --client-config");
    }
    if (cause instanceof AuthenticationException) {
      return new KafkaPreflightException(
          "authentication with Kafka at "
              + bootstrap
              + " failed ("
              + cause.getMessage()
              + "): check security.protocol and the sasl.*/ssl.* settings in --client-config");
    }
    if (cause instanceof AuthorizationException) {
      return new KafkaPreflightException(
          "Kafka at "
              + bootstrap
              + " denied access ("
              + cause.getMessage()
              + "): grant this user Describe on the cluster and the topics (ACLs; the Strimzi"
              + " overlay's KafkaUser has them)");
    }
    return new KafkaPreflightException(
        "checking Kafka at " + bootstrap + " failed: " + cause, cause);
  }
}
