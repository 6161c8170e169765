package io.rewardstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.app.AppConfig;
import io.rewardstream.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml and the files it mounts: images with explicit tags (Kafka's matching the
 * client), the worker's configuration accepted by the application, and ports that agree between the
 * app, compose, Prometheus and Grafana.
 */
class ComposeTest {

  private static final Path DEPLOY = Manifests.deploy("");
  private static final Pattern TAGGED =
      Pattern.compile("[a-z0-9./_-]+(:\\d+)?(/[a-z0-9._-]+)*:[\\w.-]+");

  private final JsonNode compose = Manifests.documents(DEPLOY.resolve("compose.yaml")).get(0);
  private final JsonNode services = compose.path("services");

  @Test
  void servicesUseImagesWithExplicitTags() {
    assertThat(fieldNames(services))
        .containsExactlyInAnyOrder("kafka", "topics", "worker", "gateway", "prometheus", "grafana");
    for (String name : fieldNames(services)) {
      String image = services.path(name).path("image").asText();
      assertThat(image).as(name).matches(TAGGED).doesNotEndWith(":latest");
    }
  }

  @Test
  void kafkaBrokerIsTheClientsVersionInKRaftMode() {
    String clientVersion = AppInfoParser.getVersion();
    assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:" + clientVersion);
    assertThat(services.at("/topics/image").asText()).isEqualTo("apache/kafka:" + clientVersion);
    assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText())
        .isEqualTo("broker,controller");
  }

  @Test
  void workerIsTheDemoImageWithAConfigTheApplicationAccepts() throws IOException {
    JsonNode worker = services.path("worker");
    AppConfig config = AppConfig.fromProperties(workerProperties());
    config.streamsSettings();

    // the image the image pom's demo profile builds, carrying the judge judge.dir points at
    JibConfig demo = JibConfig.variant("demo");
    assertThat(worker.path("image").asText()).isEqualTo(demo.toImage());
    assertThat(demo.extraPaths())
        .anySatisfy(p -> assertThat(p.into()).isEqualTo(config.judgeDir().toString()));

    // bootstrap.servers is the broker's in-network listener
    String listeners = services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText();
    assertThat(listeners).contains("://" + config.bootstrapServers());
    assertThat(config.bootstrapServers()).startsWith("kafka:");

    // the topics service creates every topic of the application's registry
    String create = services.at("/topics/command").toString();
    Topics.all().forEach(t -> assertThat(create).contains(t.name()));

    // a graceful stop outlasts one batch
    long closeWaitSeconds = Math.max(30, (config.transactionWorkMs() + 999) / 1000);
    assertThat(seconds(worker.path("stop_grace_period").asText()))
        .isGreaterThanOrEqualTo(closeWaitSeconds + 20);
  }

  @Test
  void metricsPortAgreesAcrossWorkerComposeAndPrometheus() throws IOException {
    int metricsPort = Integer.parseInt(workerProperties().getProperty("metrics.port"));

    assertThat(texts(services.at("/worker/ports")))
        .contains("127.0.0.1:" + metricsPort + ":" + metricsPort);
    assertThat(JibConfig.variant("demo").ports()).contains(Integer.toString(metricsPort));

    JsonNode prometheus = Manifests.documents(DEPLOY.resolve("prometheus/prometheus.yml")).get(0);
    JsonNode job = prometheus.at("/scrape_configs/0");
    assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(texts(job.at("/static_configs/0/targets"))).containsExactly("worker:" + metricsPort);
    assertThat(bindSources("prometheus"))
        .contains(DEPLOY.resolve("prometheus/prometheus.yml").normalize());
  }

  @Test
  void prometheusAcceptsItsConfigAndTheDashboardQueriesWherePromtoolIsInstalled() throws Exception {
    Path promtool = KustomizeOverlaysTest.onPath("promtool");
    assumeTrue(promtool != null, "promtool is not installed: prometheus.yml only parsed");
    Process process =
        new ProcessBuilder(
                promtool.toString(),
                "check",
                "config",
                DEPLOY.resolve("prometheus/prometheus.yml").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();

    // The dashboard's PromQL parses: each query as a recording rule, checked by promtool
    JsonNode dashboard =
        new ObjectMapper().readTree(DEPLOY.resolve("grafana/rewardstream-dashboard.json").toFile());
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (JsonNode target : dashboard.findValues("expr")) {
      rules
          .append("      - record: dashboard:query_")
          .append(n++)
          .append("\n        expr: ")
          .append(new ObjectMapper().writeValueAsString(target.asText()))
          .append('\n');
    }
    assertThat(n).isPositive();
    Path file = Files.createTempFile("dashboard-rules", ".yml");
    Files.writeString(file, rules);
    Process check =
        new ProcessBuilder(promtool.toString(), "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(checked).isZero();
  }

  @Test
  void grafanaIsProvisionedWithPrometheusAndTheDashboard() throws IOException {
    JsonNode datasource =
        Manifests.documents(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"))
            .get(0)
            .at("/datasources/0");
    assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(texts(services.at("/prometheus/ports"))).contains("127.0.0.1:9090:9090");

    Path dashboard = DEPLOY.resolve("grafana/rewardstream-dashboard.json");
    JsonNode json = new ObjectMapper().readTree(dashboard.toFile());
    assertThat(json.path("panels").isArray()).as("dashboard panels").isTrue();
    assertThat(json.path("title").asText()).isNotBlank();
    // every panel queries the data source chosen in the dashboard's variable, which lists the
    // Prometheus data sources (in compose: the provisioned one, the only one)
    assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
    JsonNode variable = json.at("/templating/list/0");
    assertThat(variable.path("name").asText()).isEqualTo("datasource");
    assertThat(variable.path("type").asText()).isEqualTo("datasource");
    assertThat(variable.path("query").asText()).isEqualTo("prometheus");
    for (JsonNode panel : json.path("panels")) {
      assertThat(panel.at("/datasource/uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
    }
    assertThat(json.findValuesAsText("title"))
        .contains(
            "Dead letters per second", "FAILED results per second", "Drift alerts (last hour)");

    String providerPath =
        Manifests.documents(DEPLOY.resolve("grafana/provisioning/dashboards/rewardstream.yaml"))
            .get(0)
            .at("/providers/0/options/path")
            .asText();
    assertThat(texts(services.at("/grafana/volumes")))
        .contains(
            "./grafana/rewardstream-dashboard.json:"
                + providerPath
                + "/rewardstream-dashboard.json:ro");
  }

  @Test
  void gatewayTalksToTheWorkersBrokerOnItsOwnPublishedPort() throws IOException {
    AppConfig config = AppConfig.fromProperties(workerProperties());
    JsonNode gateway = services.path("gateway");
    List<String> command = texts(gateway.path("command"));

    assertThat(command.get(0)).isEqualTo("gateway");
    assertThat(option(command, "--bootstrap-servers")).isEqualTo(config.bootstrapServers());
    assertThat(gateway.path("image").asText()).isEqualTo(services.at("/worker/image").asText());
    // the worker's topics are the gateway's defaults (no topic flags given)
    assertThat(config.inputTopic()).isEqualTo("rollouts");
    assertThat(config.outputTopic()).isEqualTo("rewards");
    assertThat(config.dlqTopic()).isEqualTo("rollouts-dlq");
    String port = option(command, "--port");
    assertThat(option(command, "--bind")).isEqualTo("0.0.0.0");
    assertThat(texts(gateway.path("ports"))).containsExactly("127.0.0.1:" + port + ":" + port);
    assertThat(port).isNotEqualTo(workerProperties().getProperty("metrics.port"));
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name).isNotNegative();
    return args.get(i + 1);
  }

  @Test
  void everyBindMountExistsAndEveryPortIsLocalOnly() {
    for (String name : fieldNames(services)) {
      for (Path source : bindSources(name)) {
        assertThat(source).as(name).exists();
      }
      for (String port : texts(services.path(name).path("ports"))) {
        assertThat(port).as(name).startsWith("127.0.0.1:");
      }
    }
  }

  private Properties workerProperties() throws IOException {
    Path file = null;
    for (String volume : texts(services.at("/worker/volumes"))) {
      if (volume.split(":")[1].equals("/etc/rewardstream/app.properties")) {
        file = DEPLOY.resolve(volume.split(":")[0]).normalize();
      }
    }
    assertThat(file).as("app.properties mounted into the worker").isNotNull();
    List<String> command = texts(services.at("/worker/command"));
    assertThat(command).containsExactly("run", "--config", "/etc/rewardstream/app.properties");
    return Manifests.properties(Files.readString(file));
  }

  private List<Path> bindSources(String service) {
    List<Path> sources = new ArrayList<>();
    for (String volume : texts(services.path(service).path("volumes"))) {
      String source = volume.split(":")[0];
      if (source.startsWith(".") || source.startsWith("/")) {
        sources.add(DEPLOY.resolve(source).normalize());
      }
    }
    return sources;
  }

  private static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)s").matcher(duration);
    assertThat(m.matches()).as(duration).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
