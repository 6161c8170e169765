package io.rewardstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A client of the Confluent-compatible schema-registry REST API: the few calls the Confluent wire
 * format needs, answered the same by Confluent Schema Registry, Apicurio Registry ({@code
 * /apis/ccompat/v7}), Karapace and Redpanda.
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions}: register a schema, get its id;
 *   <li>{@code POST /subjects/{subject}}: look up the id of a schema registered beforehand;
 *   <li>{@code GET /schemas/ids/{id}}: the writer schema of a record's id.
 * </ul>
 *
 * <p>Why not a serde library: Confluent's serializers are not on Maven Central, and Apicurio's
 * speak Apicurio's own API, not this one (they cannot talk to a Confluent registry). The protocol
 * part is these three calls, made with the JDK's HTTP client and Jackson.
 *
 * <p>Ids are immutable in a registry, so answers are cached for the client's life: a topic costs
 * one call per writer schema, not one per record. A registry that does not answer (connection
 * refused, timeout, 5xx, 429) is retried with backoff up to the settings' retry timeout, then
 * {@link RegistryUnavailableException}; a refusal is a {@link RegistryRefusedException} at once.
 * Thread-safe.
 */
public final class RegistryClient {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySettings settings;
  private final HttpClient http;
  private final String authorization;
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  public RegistryClient(RegistrySettings settings) {
    this.settings = settings;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT);
    if (settings.truststore() != null) {
      builder.sslContext(sslContext(settings));
    }
    this.http = builder.build();
    if (settings.userInfo() != null) {
      authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
    } else if (settings.bearerToken() != null) {
      authorization = "Bearer " + settings.bearerToken();
    } else {
      authorization = null;
    }
  }

  /** The settings this client was made with. */
  public RegistrySettings settings() {
    return settings;
  }

  /**
   * The id of {@code schema} under {@code subject}: registered when auto-registration is on, looked
   * up otherwise. Cached.
   *
   * @throws RegistryRefusedException when the registry refuses it (incompatible, unauthorised, not
   *     registered while auto-registration is off)
   * @throws RegistryUnavailableException when the registry does not answer in time
   */
  public int idFor(String subject, Schema schema) {
    String key = subject + '\0' + SchemaNormalization.parsingFingerprint64(schema);
    Integer cached = ids.get(key);
    if (cached != null) {
      return cached;
    }
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    String path = "/subjects/" + encode(subject) + (settings.autoRegister() ? "/versions" : "");
    String what =
        (settings.autoRegister() ? "register " : "look up ")
            + schema.getFullName()
            + " under subject '"
            + subject
            + "'";
    Optional<JsonNode> answer = call("POST", path, body, what);
    if (answer.isEmpty()) {
      throw new RegistryRefusedException(
          "the schema registry at "
              + settings.url()
              + " has no "
              + schema.getFullName()
              + " schema under subject '"
              + subject
              + "', and "
              + RegistrySettings.AUTO_REGISTER
              + "=false: register RewardStream's schema there first (schemas/src/main/avro,"
              + " docs/wire-format.md), or allow auto-registration",
          404,
          40403);
    }
    int id = answer.get().path("id").asInt(-1);
    if (id < 0) {
      throw new RegistryRefusedException(
          "the schema registry at " + settings.url() + " answered " + what + " without an id",
          200,
          0);
    }
    ids.put(key, id);
    schemas.putIfAbsent(id, schema);
    return id;
  }

  /**
   * Checks that the URL is a registry's Confluent-compatible API that accepts the credentials
   * ({@code GET /config}), so that a wrong URL stops a command at start instead of making every
   * record look like one with an unknown schema id.
   *
   * @throws RegistryRefusedException naming the setting to fix
   * @throws RegistryUnavailableException when it does not answer in time
   */
  public void check() {
    Optional<JsonNode> answer = call("GET", "/config", null, "read its configuration");
    if (answer.isEmpty() || !answer.get().has("compatibilityLevel")) {
      throw new RegistryRefusedException(
          "the server at "
              + settings.url()
              + " does not answer GET /config like a schema registry's Confluent-compatible API:"
              + " check "
              + RegistrySettings.URL
              + " (Apicurio: http://HOST:8080/apis/ccompat/v7; Confluent, Karapace:"
              + " http://HOST:8081)",
          200,
          0);
    }
  }

  /**
   * The schema registered with {@code id}, or empty when the registry has none. Cached.
   *
   * @throws RegistryRefusedException when the registry refuses the request (credentials)
   * @throws RegistryUnavailableException when the registry does not answer in time
   */
  public Optional<Schema> schemaById(int id) {
    Schema cached = schemas.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<JsonNode> answer =
        call("GET", "/schemas/ids/" + id, null, "fetch the schema with id " + id);
    if (answer.isEmpty()) {
      return Optional.empty();
    }
    String type = answer.get().path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new IllegalStateException("schema id " + id + " is a " + type + " schema, not Avro");
    }
    Schema schema = new Schema.Parser().parse(answer.get().path("schema").asText());
    schemas.putIfAbsent(id, schema);
    return Optional.of(schema);
  }

  /**
   * One call, retried while the registry does not answer. Empty for a 404 whose error code says the
   * subject, version or schema does not exist (40401, 40402, 40403).
   */
  private Optional<JsonNode> call(String method, String path, String body, String what) {
    URI uri = URI.create(settings.url() + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", CONTENT_TYPE + ", application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    long deadline = System.nanoTime() + settings.retryTimeout().toNanos();
    long backoff = FIRST_BACKOFF_MS;
    String last;
    Throwable lastCause = null;
    while (true) {
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status / 100 == 2) {
          return Optional.of(JSON.readTree(response.body()));
        }
        JsonNode error = parseQuietly(response.body());
        int code = error.path("error_code").asInt(status);
        String message = error.path("message").asText(response.body());
        if (status == 404 && (code == 40401 || code == 40402 || code == 40403)) {
          return Optional.empty(); // the registry's own "no such subject, version or schema"
        }
        if (status < 500 && status != 429) {
          throw refused(what, status, code, message);
        }
        last = "HTTP " + status + ": " + message;
      } catch (IOException e) {
        last = e instanceof ConnectException ? "connection refused" : e.toString();
        lastCause = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException(
            "interrupted while waiting for the schema registry at " + settings.url(), e);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new RegistryUnavailableException(
            "the schema registry at "
                + settings.url()
                + " did not answer for "
                + settings.retryTimeout().toMillis()
                + " ms ("
                + last
                + ") while trying to "
                + what
                + ": check "
                + RegistrySettings.URL
                + " and that the registry is up",
            lastCause);
      }
      sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private RegistryRefusedException refused(String what, int status, int code, String message) {
    String fix;
    if (status == 401 || status == 403) {
      fix =
          "check "
              + RegistrySettings.BASIC_AUTH_USER_INFO
              + " or "
              + RegistrySettings.BEARER_AUTH_TOKEN
              + " and the principal's rights on the subject";
    } else if (status == 409) {
      fix =
          "the subject holds a schema this one is not compatible with under the subject's"
              + " compatibility level; RewardStream's schemas evolve only by adding fields with"
              + " defaults, so BACKWARD accepts them: check that the subject holds RewardStream's"
              + " record and not another one of the same topic name (docs/wire-format.md)";
    } else if (status == 404) {
      fix =
          "the URL answered 404 without a registry error code: "
              + RegistrySettings.URL
              + " must be the base URL of the Confluent-compatible API (Apicurio:"
              + " http://HOST:8080/apis/ccompat/v7; Confluent, Karapace: http://HOST:8081)";
    } else if (status == 422) {
      fix = "the registry does not accept the schema as Avro; check that it is a recent registry";
    } else {
      fix =
          "check " + RegistrySettings.URL + " (it must be the Confluent-compatible API's base URL)";
    }
    return new RegistryRefusedException(
        "the schema registry at "
            + settings.url()
            + " refused to "
            + what
            + " (HTTP "
            + status
            + ", error "
            + code
            + ": "
            + message
            + "): "
            + fix,
        status,
        code);
  }

  private static JsonNode parseQuietly(String body) {
    try {
      return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while retrying the schema registry", e);
    }
  }

  private static SSLContext sslContext(RegistrySettings settings) {
    char[] password =
        settings.truststorePassword() == null ? null : settings.truststorePassword().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance(settings.truststore().toFile(), password);
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot load "
              + RegistrySettings.TRUSTSTORE_LOCATION
              + "="
              + settings.truststore()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
