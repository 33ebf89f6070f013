package io.faultline.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The traffic summary read off the real meters {@link ChaosMeterBinder} records into. */
class TrafficSummaryTest {

  private final ChaosMeterBinder meters = new ChaosMeterBinder(new ChaosState(ChaosConfig.off()));
  private final TrafficSummary summary = new TrafficSummary(meters.registry(), List.of(
      new TrafficSummary.Listener("web", "http", 3000, "http://127.0.0.1:8080"),
      new TrafficSummary.Listener("rpc", "grpc", 3001, "127.0.0.1:50051")), true, 10_000);

  @Test
  void countsEachListenersRequestsErrorsAndFaultsSinceTheLastSummary() {
    for (int i = 0; i < 8; i++) {
      meters.requestCompleted("web", "http", "default", "2xx", ms(5));
    }
    meters.requestCompleted("web", "http", "default", "5xx", ms(5));
    meters.requestCompleted("web", "http", "api", "dropped", ms(5));
    meters.faultInjected("web", "http", "default", "http_error");
    meters.faultInjected("web", "http", "api", "http_error");
    meters.faultInjected("web", "http", "api", "reset_peer");

    JsonObject first = summary.next(12_000);
    assertThat(first.getLong("interval_ms")).isEqualTo(2_000);
    JsonObject web = listener(first, "web");
    assertThat(web.getLong("requests")).isEqualTo(10);
    assertThat(web.getDouble("requests_per_second")).isEqualTo(5.0);
    assertThat(web.getLong("errors")).isEqualTo(2);
    assertThat(web.getDouble("error_rate")).isEqualTo(0.2);
    assertThat(web.getJsonObject("faults").getMap()).isEqualTo(java.util.Map.of("http_error", 2L, "reset_peer", 1L));
    assertThat(web.getInteger("port")).isEqualTo(3000);
    assertThat(web.getString("upstream")).isEqualTo("http://127.0.0.1:8080");

    meters.requestCompleted("web", "http", "default", "2xx", ms(5));
    JsonObject second = listener(summary.next(13_000), "web");
    assertThat(second.getLong("requests")).isEqualTo(1);
    assertThat(second.getLong("errors")).isZero();
    assertThat(second.getJsonObject("faults").isEmpty()).isTrue();
  }

  /** A listener removed and added again under its name, within a second, counts its new requests from the first on. */
  @Test
  void aListenerAddedAgainUnderItsNameCountsFromItsFirstSecond() {
    for (int i = 0; i < 5; i++) {
      meters.requestCompleted("web", "http", "default", "2xx", ms(5));
    }
    assertThat(listener(summary.next(11_000), "web").getLong("requests")).isEqualTo(5);
    meters.listenerRemoved("web"); // and added again within the second: no summary between
    meters.requestCompleted("web", "http", "default", "2xx", ms(5));
    meters.requestCompleted("web", "http", "default", "2xx", ms(5));
    JsonObject again = listener(summary.next(12_000), "web");
    assertThat(again.getLong("requests")).isEqualTo(2);
    assertThat(again.getValue("p50_ms")).isNotNull();
  }

  @Test
  void aListenerWithoutTrafficHasZeroesAndNoPercentiles() {
    JsonObject rpc = listener(summary.next(11_000), "rpc");
    assertThat(rpc.getLong("requests")).isZero();
    assertThat(rpc.getDouble("error_rate")).isZero();
    assertThat(rpc.getValue("p50_ms")).isNull();
    assertThat(rpc.getValue("p99_ms")).isNull();
  }

  @Test
  void percentilesComeFromTheSecondsOwnRequests() {
    requests(500, "default", "2xx", 2_000);
    summary.next(11_000);
    requests(90, "default", "2xx", 10);
    requests(10, "api", "2xx", 500);
    JsonObject web = listener(summary.next(12_000), "web");
    // Interpolated within Micrometer's percentile buckets, which are at most ~25 % wide around these values;
    // the 500 slow requests of the previous second must not count.
    assertThat(web.getDouble("p50_ms")).isBetween(7.5, 12.5);
    assertThat(web.getDouble("p99_ms")).isBetween(375.0, 625.0);
  }

  /**
   * Requests slower than the histogram's last bucket (60 s: a timeout_ms of 90 s) count: a second of them has percentiles of
   * at least that bound, and 1 % of them shows in p99. They were left out (a Prometheus histogram's snapshot has no +Inf
   * bucket): p99 was null, as if no request had ended, beside "requests: 3".
   */
  @Test
  void requestsSlowerThanTheLastBucketCountInThePercentiles() {
    requests(3, "default", "5xx", 90_000);
    JsonObject slow = listener(summary.next(11_000), "web");
    assertThat(slow.getLong("requests")).isEqualTo(3);
    assertThat(slow.getDouble("p50_ms")).isEqualTo(60_000.0);
    assertThat(slow.getDouble("p99_ms")).isEqualTo(60_000.0);
    requests(97, "default", "2xx", 10);
    requests(3, "default", "5xx", 90_000);
    JsonObject mixed = listener(summary.next(12_000), "web");
    assertThat(mixed.getDouble("p50_ms")).isBetween(7.5, 12.5);
    assertThat(mixed.getDouble("p99_ms")).as("3 of 100 slower than a minute").isEqualTo(60_000.0);
  }

  /** {@code count} requests of the web listener's {@code route}, each ended with {@code outcome} after {@code millis}. */
  private void requests(int count, String route, String outcome, long millis) {
    for (int i = 0; i < count; i++) {
      meters.requestCompleted("web", "http", route, outcome, ms(millis));
    }
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static JsonObject listener(JsonObject summary, String name) {
    return summary.getJsonArray("listeners").stream().map(JsonObject.class::cast)
        .filter(l -> l.getString("name").equals(name)).findFirst().orElseThrow();
  }
}
