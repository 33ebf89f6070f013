package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A GraphQL listener counts faults as every listener does: each fault once per exchange it touches. */
class GraphQlCountingTest {

  private GraphQlFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * A field fault's delay is counted when an injected error follows it, as latency is: it was counted only as the operation
   * went upstream, so a delayed operation then answered with an injected error showed the error alone.
   */
  @Test
  void aFieldDelayFollowedByAnInjectedErrorIsCountedToo() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"error_probability\": 1.0,"
        + " \"field_faults\": [{\"field\": \"Query.hello\", \"delay_ms\": 200}]}}");
    long start = System.nanoTime();
    fixture.post("{ hello }");
    assertThat((System.nanoTime() - start) / 1_000_000).as("held, ms").isGreaterThanOrEqualTo(195);
    fixture.events.await("the operation's completion", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).containsExactlyInAnyOrder("graphql_field", "graphql_error");
  }

  @Test
  void latencyOnAnOperationOverHttpIsCountedAsAnInjectedFault() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 30}}");
    assertThat(fixture.post("{ hello }").statusCode()).isEqualTo(200);
    fixture.events.await("the operation's completion", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).containsExactly("latency");
    assertThat(fixture.events.latencies()).containsExactly(30L);
  }

  @Test
  void aBandwidthLimitIsCountedOncePerOperation() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000}}");
    assertThat(fixture.post("{ hello }").statusCode()).isEqualTo(200);
    assertThat(fixture.post("{ users { name } }").statusCode()).isEqualTo(200);
    fixture.events.await("both completions", () -> fixture.events.completions().size() == 2);
    assertThat(fixture.events.faults()).containsExactly("bandwidth", "bandwidth");
  }

  /**
   * A bandwidth limit paces the answer to its rate and delivers it whole, as the upstream sent it; the connection then
   * carries the next operation. 200,000 bytes at 100,000 B/s: 2 s, less the first 20 ms chunk that goes at once.
   */
  @Test
  void aBandwidthLimitDeliversTheAnswerWholeAtItsRate() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 100000}}");
    String query = "{ blob(size: 200000) }";
    String direct = fixture.direct(query).bodyAsString();
    assertThat(direct.length()).isGreaterThan(200_000);
    long started = System.nanoTime();
    var answer = fixture.post(query);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsString()).isEqualTo(direct);
    assertThat(tookMs).as("ms for %d bytes at 100,000 B/s", direct.length()).isBetween(1_800L, 10_000L);
    assertThat(fixture.post("{ hello }").bodyAsJsonObject().getJsonObject("data").getString("hello")).isEqualTo("world");
    assertThat(fixture.upstreamHits.get()).isEqualTo(3);
  }

  /**
   * A client that stops reading a large answer for a while gets it whole once it reads again (the upstream's connection
   * stops being read meanwhile), over HTTP/1.1 and HTTP/2; the operations after it are answered, and every piece of
   * the answers written on was given back to Netty's pool.
   */
  @Test
  void aClientThatPausesALargeAnswerGetsItWholeAndTheNextOperationsGoOn() throws Exception {
    fixture = new GraphQlFixture(null);
    String query = new JsonObject().put("query", "{ blob(size: 8000000) }").encode();
    String direct = fixture.direct("{ blob(size: 8000000) }").bodyAsString();
    for (boolean http2 : new boolean[] {false, true}) {
      io.vertx.core.http.HttpClientOptions options = new io.vertx.core.http.HttpClientOptions();
      if (http2) {
        options.setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
      }
      io.vertx.core.http.HttpClient client = fixture.vertx.createHttpClient(options);
      String body = client.request(io.vertx.core.http.HttpMethod.POST, fixture.port, "127.0.0.1", "/")
          .compose(request -> request.putHeader("Content-Type", "application/json").send(query))
          .compose(response -> {
            response.pause(); // a second without reading: the gateway's writes to it fill up
            io.vertx.core.Promise<io.vertx.core.buffer.Buffer> read = io.vertx.core.Promise.promise();
            fixture.vertx.setTimer(1_000, id -> {
              response.body().onComplete(read);
              response.resume();
            });
            return read.future();
          }).await(30, java.util.concurrent.TimeUnit.SECONDS).toString();
      assertThat(body.length()).as(http2 ? "h2" : "h1").isEqualTo(direct.length());
      assertThat(body).isEqualTo(direct);
      assertThat(fixture.post("{ hello }").bodyAsJsonObject().getJsonObject("data").getString("hello")).isEqualTo("world");
    }
    fixture.events.await("every piece given back", () -> io.faultline.chaos.listener.UpstreamChannel.outstanding() == 0);
  }

  @Test
  void aSubscriptionIsRefusedWithTheCodeAnOperationOverHttpGets() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"fault_injection\": {\"grpc_status_codes\": [\"UNAVAILABLE\"],"
        + " \"grpc_status_probability\": 1.0}}");
    JsonObject overHttp = fixture.post("{ hello }").bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    List<JsonObject> messages = fixture.subscribe("subscription { feed(count: 1) { name } }");
    assertThat(messages).extracting(m -> m.getString("type")).containsExactly("error");
    JsonObject overWebSocket = messages.get(0).getJsonArray("payload").getJsonObject(0);
    assertThat(overWebSocket.getJsonObject("extensions").getString("code"))
        .isEqualTo(overHttp.getJsonObject("extensions").getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(overWebSocket.getString("message")).isEqualTo(overHttp.getString("message"));
  }

  @Test
  void latencyOnASubscribeIsCountedAsOnAnOperationOverHttp() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 30}}");
    assertThat(fixture.subscribe("subscription { feed(count: 1) { name } }")).hasSize(2);
    fixture.events.await("the subscribe's completion", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).containsExactly("latency");
    assertThat(fixture.events.latencies()).as("drift: subscriptions counted the fault but not the latency").containsExactly(30L);
  }
}
