package io.rewardstream.schemas.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a schema registry through its Confluent-compatible REST API (Confluent Schema
 * Registry, Apicurio Registry's {@code /apis/ccompat/v7}, Karapace, Redpanda).
 *
 * <p>Read from the same settings as the Kafka clients (a {@code --client-config} file, {@code
 * REWARDSTREAM_KAFKA_*} variables or the app's config), under Confluent's usual key names so one
 * file serves RewardStream and the Kafka tools next to it.
 *
 * @param url the registry's base URL, e.g. {@code http://registry:8081} or {@code
 *     http://apicurio:8080/apis/ccompat/v7}
 * @param userInfo {@code user:password} for HTTP basic authentication, or null
 * @param bearerToken a bearer token, or null (at most one of the two)
 * @param truststore a trust store (PKCS12 or JKS) for an https registry with a private CA, or null
 * @param truststorePassword its password, or null
 * @param autoRegister register RewardStream's schemas under their subjects (true), or only look up
 *     schemas an operator registered beforehand (false)
 * @param retryTimeout how long a call keeps retrying while the registry does not answer
 */
public record RegistrySettings(
    URI url,
    String userInfo,
    String bearerToken,
    Path truststore,
    String truststorePassword,
    boolean autoRegister,
    Duration retryTimeout) {

  /** The registry's base URL. */
  public static final String URL = "schema.registry.url";

  /** {@code user:password} for basic authentication. */
  public static final String BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";

  /** A bearer token. */
  public static final String BEARER_AUTH_TOKEN = "schema.registry.bearer.auth.token";

  /** Trust store for https with a private CA. */
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";

  /** The trust store's password. */
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";

  /** true (default): register schemas; false: look them up only. */
  public static final String AUTO_REGISTER = "schema.registry.auto.register";

  /** Milliseconds a call retries an unreachable registry before giving up (default 30000). */
  public static final String RETRY_TIMEOUT_MS = "schema.registry.retry.timeout.ms";

  /** Default of {@link #RETRY_TIMEOUT_MS}. */
  public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofSeconds(30);

  public RegistrySettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(retryTimeout, "retryTimeout");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException(
          URL
              + "="
              + url
              + " is not an http(s) URL with a host: give the registry's base URL, e.g."
              + " http://registry:8081 (Confluent, Karapace) or"
              + " http://apicurio:8080/apis/ccompat/v7 (Apicurio)");
    }
    if (userInfo != null && !userInfo.contains(":")) {
      throw new IllegalArgumentException(
          BASIC_AUTH_USER_INFO + " must be user:password (the value has no ':')");
    }
    if (userInfo != null && bearerToken != null) {
      throw new IllegalArgumentException(
          "both " + BASIC_AUTH_USER_INFO + " and " + BEARER_AUTH_TOKEN + " are set: give one");
    }
    if (retryTimeout.isNegative()) {
      throw new IllegalArgumentException(RETRY_TIMEOUT_MS + " must be >= 0");
    }
  }

  /** Plain http, no authentication, auto-registering: a local or test registry. */
  public static RegistrySettings of(String url) {
    return new RegistrySettings(
        URI.create(url), null, null, null, null, true, DEFAULT_RETRY_TIMEOUT);
  }

  /**
   * The registry settings among client settings, or empty when {@link #URL} is not set.
   *
   * @throws IllegalArgumentException naming the bad key and the fix
   */
  public static Optional<RegistrySettings> from(Map<String, ?> settings) {
    String url = text(settings, URL);
    if (url == null) {
      return Optional.empty();
    }
    String store = text(settings, TRUSTSTORE_LOCATION);
    String retry = text(settings, RETRY_TIMEOUT_MS);
    String auto = text(settings, AUTO_REGISTER);
    if (auto != null && !auto.equalsIgnoreCase("true") && !auto.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(AUTO_REGISTER + "=" + auto + ": give true or false");
    }
    Duration retryTimeout;
    try {
      retryTimeout =
          retry == null ? DEFAULT_RETRY_TIMEOUT : Duration.ofMillis(Long.parseLong(retry));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          RETRY_TIMEOUT_MS + "=" + retry + " is not a whole number of milliseconds", e);
    }
    URI uri;
    try {
      uri = URI.create(stripSlash(url));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(URL + "=" + url + " is not a URL: " + e.getMessage(), e);
    }
    return Optional.of(
        new RegistrySettings(
            uri,
            text(settings, BASIC_AUTH_USER_INFO),
            text(settings, BEARER_AUTH_TOKEN),
            store == null ? null : Path.of(store),
            text(settings, TRUSTSTORE_PASSWORD),
            auto == null || Boolean.parseBoolean(auto),
            retryTimeout));
  }

  /** Whether a key is one of these settings (so it is not handed to Kafka's clients). */
  public static boolean isRegistryKey(String key) {
    return key.startsWith("schema.registry.");
  }

  /** Where and how it connects, for logs: never a secret. */
  public String describe() {
    String auth =
        userInfo != null ? "basic auth" : bearerToken != null ? "bearer token" : "no auth";
    return url + " (" + auth + (autoRegister ? ", auto-register" : ", lookup only") + ")";
  }

  @Override
  public String toString() {
    return "RegistrySettings[" + describe() + "]";
  }

  private static String text(Map<String, ?> settings, String key) {
    Object value = settings.get(key);
    if (value == null) {
      return null;
    }
    String text = value.toString().strip();
    return text.isEmpty() ? null : text;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
