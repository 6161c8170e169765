package io.rewardstream.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Plain HTTP calls to a schema registry's Confluent-compatible API, for tests that check what a
 * registry holds without RewardStream's client.
 *
 * @param url the API's base URL (what {@code schema.registry.url} names)
 */
public record RegistryHttp(String url) {

  /** A status and a body. */
  public record Answer(int status, String body) {}

  /** GET of a path under {@link #url()}. */
  public Answer get(String path) {
    return call(HttpRequest.newBuilder(URI.create(url + path)).GET());
  }

  /** PUT/POST of a JSON body to a path under {@link #url()}. */
  public Answer send(String method, String path, String json) {
    return call(
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  private static Answer call(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  request.timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
