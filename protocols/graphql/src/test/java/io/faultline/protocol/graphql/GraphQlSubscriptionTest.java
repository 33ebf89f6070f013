package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RawWebSocketUpstream;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.chaos.testing.WebSocketCloses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscriptions over graphql-transport-ws through a graphql listener, with and without chaos. */
class GraphQlSubscriptionTest {

  private GraphQlFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static final String FEED = "subscription { feed(count: 3) { name orders { id } } }";

  @Test
  void subscriptionsPassThroughUnchanged() throws Exception {
    fixture = new GraphQlFixture(null);
    List<JsonObject> messages = fixture.subscribe(FEED);
    assertThat(messages).extracting(m -> m.getString("type")).containsExactly("next", "next", "next", "complete");
    assertThat(messages).extracting(m -> m.getString("id")).containsOnly("1");
    assertThat(messages.get(1).getJsonObject("payload").getJsonObject("data").getJsonObject("feed").getString("name")).isEqualTo("Linus");
    assertThat(messages.get(0).getJsonObject("payload").getJsonObject("data").getJsonObject("feed").getJsonArray("orders")).hasSize(2);
  }

  @Test
  void largeMessagesPassBothWaysAsThroughNginx() throws Exception {
    fixture = new GraphQlFixture(null);
    // 1 MB to the client (Vert.x's 64 KiB frame limit broke the socket), 1 MB from it (its 256 KiB message limit dropped it unseen)
    List<JsonObject> down = fixture.subscribe("query { blob(size: 1000000) }");
    assertThat(down).extracting(m -> m.getString("type")).containsExactly("next", "complete");
    assertThat(down.get(0).getJsonObject("payload").getJsonObject("data").getString("blob")).hasSize(1_000_000);
    List<JsonObject> up = fixture.subscribe("query Q($t: String) { echo(text: $t) }", new JsonObject().put("t", "y".repeat(1_000_000)));
    assertThat(up).extracting(m -> m.getString("type")).containsExactly("next", "complete");
    assertThat(up.get(0).getJsonObject("payload").getJsonObject("data").getInteger("echo")).isEqualTo(1_000_000);
  }

  /**
   * A bandwidth limit does not pace a subscription's events (the README lists what applies to them), and so is not counted
   * for one: it was counted for every subscribe, a throttle the metrics showed and the client never saw.
   */
  @Test
  void aBandwidthLimitIsNotCountedForASubscriptionItDoesNotPace() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000}}");
    List<JsonObject> messages = fixture.subscribe(FEED);
    assertThat(messages).extracting(m -> m.getString("type")).containsExactly("next", "next", "next", "complete");
    fixture.events.await("the subscription counted", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).doesNotContain("bandwidth");
  }

  @Test
  void fieldFaultsNullTheFieldInEveryEvent() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Subscription.feed.orders\","
        + " \"error_probability\": 1.0}]}}");
    List<JsonObject> messages = fixture.subscribe(FEED);
    assertThat(messages).hasSize(4);
    for (JsonObject next : messages.subList(0, 3)) {
      JsonObject payload = next.getJsonObject("payload");
      assertThat(payload.getJsonObject("data").getJsonObject("feed").getValue("orders")).isNull();
      assertThat(payload.getJsonObject("data").getJsonObject("feed").getString("name")).isNotNull();
      assertThat(payload.getJsonArray("errors").getJsonObject(0).getJsonArray("path")).isEqualTo(new JsonArray().add("feed").add("orders"));
    }
  }

  @Test
  void aNulledNonNullFieldNullsItsNullableParentInEveryEvent() throws Exception {
    // User.id is ID! and feed returns a nullable User: each event's feed becomes null.
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Subscription.feed.id\","
        + " \"error_probability\": 1.0}]}}");
    List<JsonObject> messages = fixture.subscribe("subscription { feed(count: 2) { id name } }");
    assertThat(messages).extracting(m -> m.getString("type")).containsExactly("next", "next", "complete");
    for (JsonObject next : messages.subList(0, 2)) {
      JsonObject payload = next.getJsonObject("payload");
      assertThat(payload.getJsonObject("data").containsKey("feed")).isTrue();
      assertThat(payload.getJsonObject("data").getValue("feed")).isNull();
      assertThat(payload.getJsonArray("errors").getJsonObject(0).getJsonArray("path")).isEqualTo(new JsonArray().add("feed").add("id"));
    }
  }

  @Test
  void aTargetedSubscriptionIsAnsweredWithAnErrorMessage() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": [{\"name\": \"no-feeds\", \"match\": {\"operation_type\": \"subscription\"},"
        + " \"graphql\": {\"error_probability\": 1.0, \"error_code\": \"FEED_DOWN\"}}]}");
    List<JsonObject> messages = fixture.subscribe(FEED);
    assertThat(messages).hasSize(1);
    assertThat(messages.get(0).getString("type")).isEqualTo("error");
    assertThat(messages.get(0).getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code")).isEqualTo("FEED_DOWN");
    // Queries are not targeted by that rule.
    assertThat(fixture.post("{ hello }").bodyAsJsonObject().getJsonObject("data").getString("hello")).isEqualTo("world");
  }

  /**
   * A subscribe chaos holds (a delay here; a bulkhead's queue the same) holds nothing else the client sends
   * on its socket: a ping and another subscription's subscribe sent after it went on at once. They waited
   * the whole 2 s behind it.
   */
  @Test
  void aDelayedSubscribeHoldsNothingElseOnItsSocket() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": [{\"name\": \"slow\", \"match\": {\"operation_name\": \"Slow\"},"
        + " \"latency\": {\"fixed_delay_ms\": 2000}}]}");
    GraphQlFixture.Session session = fixture.new Session();
    session.subscribe("1", "subscription Slow { feed(count: 1) { name } }");
    session.send("ping", null);
    session.subscribe("2", "subscription Fast { feed(count: 1) { name } }");
    GraphQlFixture.Received pong = session.await(null, 1).get(0);
    assertThat(pong.type()).isEqualTo("pong");
    assertThat(pong.atMs()).as("the pong, ms").isLessThan(1_500);
    assertThat(session.await("2", 2)).extracting(GraphQlFixture.Received::type).containsExactly("next", "complete");
    assertThat(session.await("2", 2).get(0).atMs()).as("the other subscription's event, ms").isLessThan(1_500);
    GraphQlFixture.Received slow = session.await("1", 2).get(0);
    assertThat(slow.type()).isEqualTo("next");
    assertThat(slow.atMs()).as("the delayed one's event, ms").isGreaterThanOrEqualTo(2_000);
  }

  /**
   * A client that leaves while a timeout fault holds its subscribe is a client leaving, as over HTTP: the circuit breaker
   * does not count it. The hold ran its whole timeout and then counted the subscribe as the upstream's failure.
   */
  @Test
  void aClientThatLeavesDuringATimeoutsHoldIsNoFailureForTheBreaker() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"circuit_breaker\": {\"failure_threshold\": 1, \"reset_timeout_ms\": 30000},"
        + " \"rules\": [{\"name\": \"hang\", \"match\": {\"operation_name\": \"Hang\"},"
        + " \"fault_injection\": {\"timeout_probability\": 1.0, \"timeout_ms\": 500}}]}");
    GraphQlFixture.Session leaves = fixture.new Session();
    leaves.subscribe("1", "subscription Hang { feed(count: 1) { name } }");
    Thread.sleep(100);
    leaves.socket.close().await();
    fixture.events.await("the subscribe counted", () -> fixture.events.completions().size() == 1);
    Thread.sleep(700); // past the timeout's end
    assertThat(fixture.events.completions()).extracting(io.faultline.chaos.testing.RecordingListener.Completion::outcome)
        .containsExactly("dropped");
    io.faultline.chaos.limit.CircuitBreaker breaker = fixture.state.snapshot().parts(io.faultline.chaos.limit.CircuitBreaker.class).get("");
    assertThat(breaker.state()).isEqualTo(io.faultline.chaos.limit.CircuitBreaker.State.CLOSED);
  }

  /**
   * A client that leaves while its subscribe waits in a bulkhead's queue gives its place up at once, as over HTTP, and is
   * counted dropped. Its subscribe kept its place, then took the permit, was held for its delay and sent to an upstream
   * whose client had gone (counted 2xx), and the next subscribe waited all that time behind it.
   */
  @Test
  void aClientThatLeavesTheBulkheadsQueueGivesItsPlaceUpAtOnce() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"bulkhead\": {\"max_concurrent_requests\": 1, \"max_queue_size\": 1,"
        + " \"queue_timeout_ms\": 5000}, \"rules\": [{\"name\": \"slow\", \"match\": {\"operation_name\": \"Slow\"},"
        + " \"latency\": {\"fixed_delay_ms\": 1000}}]}");
    GraphQlFixture.Session first = fixture.new Session();
    GraphQlFixture.Session leaves = fixture.new Session();
    GraphQlFixture.Session next = fixture.new Session();
    first.subscribe("1", "subscription Slow { feed(count: 1) { name } }"); // the permit, through its delay
    Thread.sleep(100);
    leaves.subscribe("1", "subscription Slow { feed(count: 1) { name } }"); // the queue's one place
    Thread.sleep(100);
    leaves.socket.close().await();
    Thread.sleep(100);
    next.subscribe("1", "subscription Slow { feed(count: 1) { name } }");
    assertThat(next.await("1", 2)).extracting(GraphQlFixture.Received::type).containsExactly("next", "complete");
    assertThat(first.await("1", 2)).extracting(GraphQlFixture.Received::type).containsExactly("next", "complete");
    fixture.events.await("three subscribes counted", () -> fixture.events.completions().size() == 3);
    assertThat(fixture.events.completions()).extracting(io.faultline.chaos.testing.RecordingListener.Completion::outcome)
        .containsExactlyInAnyOrder("2xx", "dropped", "2xx");
    assertThat(fixture.events.faults()).as("the one that left was never delayed").containsExactly("latency", "latency");
  }

  /**
   * A timeout on a subscription closes its socket at the timeout's end, unless the client completed the
   * subscription meanwhile: it gave up on it, and its socket and other subscriptions go on. The socket was
   * closed even so.
   */
  @Test
  void aTimedOutSubscriptionClosesItsSocketUnlessTheClientCompletesItFirst() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": [{\"name\": \"hang\", \"match\": {\"operation_name\": \"Hang\"},"
        + " \"fault_injection\": {\"timeout_probability\": 1.0, \"timeout_ms\": 500}}]}");
    GraphQlFixture.Session givesUp = fixture.new Session();
    GraphQlFixture.Session waits = fixture.new Session();
    givesUp.subscribe("1", "subscription Hang { feed(count: 1) { name } }");
    waits.subscribe("1", "subscription Hang { feed(count: 1) { name } }");
    Thread.sleep(100);
    givesUp.send("complete", "1");
    Thread.sleep(1_000); // past the timeout's end
    assertThat(waits.socket.isClosed()).as("the socket of a client still waiting").isTrue();
    assertThat(givesUp.socket.isClosed()).as("the socket of the client that gave up").isFalse();
    givesUp.subscribe("2", "subscription Fast { feed(count: 1) { name } }");
    assertThat(givesUp.await("2", 2)).extracting(GraphQlFixture.Received::type).containsExactly("next", "complete");
    assertThat(givesUp.received).extracting(GraphQlFixture.Received::id).as("nothing for the subscription given up").doesNotContain("1");
  }

  /**
   * The kill switch stops field faults on subscriptions already open: the events after it come as the
   * upstream sent them. They went on nulled (and with the injected error) for the subscription's life.
   */
  @Test
  void theKillSwitchStopsFieldFaultsOnOpenSubscriptions() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Subscription.ticks.name\","
        + " \"error_probability\": 1.0}]}}");
    GraphQlFixture.Session session = fixture.new Session();
    session.subscribe("1", "subscription { ticks(count: 8, ms: 150) { id name } }");
    List<GraphQlFixture.Received> before = session.await("1", 2);
    assertThat(before.get(0).message().getJsonObject("payload").getJsonObject("data").getJsonObject("ticks").getValue("name")).isNull();
    fixture.state.enable(false);
    List<GraphQlFixture.Received> all = session.await("1", 9);
    for (GraphQlFixture.Received next : all.subList(4, 8)) { // past what was on its way when the switch went
      JsonObject payload = next.message().getJsonObject("payload");
      assertThat(payload.getJsonObject("data").getJsonObject("ticks").getString("name")).as("event at %d ms", next.atMs()).isNotNull();
      assertThat(payload.containsKey("errors")).isFalse();
    }
  }

  /**
   * A subscription id the client completed and used again, for an operation no fault targets, comes
   * untouched: the field faults of the first were kept for the id and applied to the second.
   */
  @Test
  void anIdUsedAgainDoesNotCarryTheFieldFaultsOfItsFirstSubscription() throws Exception {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": [{\"name\": \"bad\", \"match\": {\"operation_name\": \"Bad\"},"
        + " \"graphql\": {\"field_faults\": [{\"field\": \"Subscription.ticks.name\", \"error_probability\": 1.0}]}}]}");
    GraphQlFixture.Session session = fixture.new Session();
    session.subscribe("1", "subscription Bad { ticks(count: 100, ms: 100) { name } }");
    assertThat(session.await("1", 1).get(0).message().getJsonObject("payload").getJsonObject("data").getJsonObject("ticks")
        .getValue("name")).isNull();
    session.send("complete", "1");
    Thread.sleep(300); // the complete reaches the upstream, which stops that subscription
    int seen = session.await("1", 1).size();
    session.subscribe("1", "subscription Good { feed(count: 2) { name } }");
    List<GraphQlFixture.Received> good = session.await("1", seen + 3).stream().skip(seen).filter(r -> r.type().equals("next")
        && r.message().getJsonObject("payload").getJsonObject("data").containsKey("feed")).toList();
    assertThat(good).hasSize(2);
    for (GraphQlFixture.Received next : good) {
      assertThat(next.message().getJsonObject("payload").getJsonObject("data").getJsonObject("feed").getString("name")).isNotNull();
      assertThat(next.message().getJsonObject("payload").containsKey("errors")).isFalse();
    }
  }

  @Test
  void anUpstreamThatDropsTheHandshakeGetsTheClientA502() {
    Vertx vertx = Vertx.vertx();
    try {
      int port = gatewayTo(vertx, request -> request.connection().close());
      WebSocketClient client = vertx.createWebSocketClient(); // held until the handshake is over (see GraphQlFixture.webSockets)
      Throwable failure = handshake(client, port).map(ws -> (Throwable) null).otherwise(e -> e).await();
      client.close().await();
      assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(502);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void anUpstreamThatSendsAnInterimAnswerBeforeItsUpgradeGetsTheClientA502SayingSo() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // 102 Processing, then the 101: the client got no answer at all, not even the route's 504
      io.vertx.core.net.NetServer interim = vertx.createNetServer().connectHandler(socket -> socket.handler(head ->
              socket.write("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")))
          .listen(Upstreams.portToListenOn(), "127.0.0.1").await();
      int port = gatewayTo(vertx, interim.actualPort());
      WebSocketClient client = vertx.createWebSocketClient();
      Throwable failure = handshake(client, port).map(ws -> (Throwable) null).otherwise(e -> e)
          .await(10, java.util.concurrent.TimeUnit.SECONDS);
      client.close().await();
      assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
      UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
      assertThat(rejected.getStatus()).isEqualTo(502);
      assertThat(new JsonObject(rejected.getBody()).getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("cause"))
          .contains("interim 102 before its 101");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void anUpstreamThatClosesRightAfterAcceptingHasItsClosePassedOn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port = gatewayTo(vertx, request -> request.toWebSocket().onSuccess(ws -> ws.close((short) 4001, "bye")));
      for (int i = 0; i < 50; i++) {
        assertThat(WebSocketCloses.closeSeen(URI.create("ws://127.0.0.1:" + port + "/"), "graphql-transport-ws", Duration.ofSeconds(5)))
            .as("connection " + i).isEqualTo("4001 bye");
      }
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A message over the listener's 16 MiB (here in frames of 6 MiB each) closes its sender's connection with 1009, the
   * upstream told as for a vanished client, as on a WebSocket listener: Vert.x reported it to a handler that did nothing, and the message was dropped without a word, the
   * socket left open (a subscribe never answered).
   */
  @Test
  void aMessageOverTheLimitClosesItsSenderWith1009() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      java.util.concurrent.CompletableFuture<String> upstreamTold = new java.util.concurrent.CompletableFuture<>();
      int port = gatewayTo(vertx, request -> request.toWebSocket().onSuccess(ws -> ws.closeHandler(v ->
          upstreamTold.complete(ws.closeStatusCode() + " " + ws.closeReason()))));
      java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int statusCode, String reason) {
              closed.complete(statusCode + " " + reason);
              return null;
            }
          }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      String part = "x".repeat(6 << 20);
      try {
        socket.sendText(part, false).get(10, java.util.concurrent.TimeUnit.SECONDS);
        socket.sendText(part, false).get(10, java.util.concurrent.TimeUnit.SECONDS);
        socket.sendText(part, true).get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException closedMeanwhile) {
        // the gateway may close before the last part is written
      }
      assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("1009 Message too big");
      assertThat(upstreamTold.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the upstream, as for a vanished client")
          .isEqualTo("1001 client connection lost");
      socket.abort();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * The closing handshake is the client's and the service's, as on a WebSocket listener: the gateway answered a
   * client's close itself, at once, and what the service still sent before its own close (a last event, its
   * complete) was lost, and its close code too.
   */
  @Test
  void whatTheServiceSendsBeforeAnsweringTheClientsCloseReachesTheClient() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (RawWebSocketUpstream service = new RawWebSocketUpstream(peer -> {
      seen.add("close " + peer.readClose().close());
      Thread.sleep(100);
      peer.sendText("{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"last\":true}}}");
      peer.sendText("{\"id\":\"1\",\"type\":\"complete\"}");
      peer.sendClose(4001, "later");
      seen.add(peer.read() == null ? "eof" : "more");
    })) {
      int port = gatewayTo(vertx, service.port());
      WebSocketCloses.Heard heard = new WebSocketCloses.Heard(true);
      java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), heard).get(5, java.util.concurrent.TimeUnit.SECONDS);
      try {
        socket.sendClose(4000, "bye").get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(heard.closed.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("4001 later");
        assertThat(heard.texts).extracting(t -> new JsonObject(t).getString("type")).containsExactly("next", "complete");
        assertThat(seen).first().isEqualTo("close 4000 bye");
      } finally {
        socket.abort();
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aServicesLastEventsAndItsCloseReachAClientThatReadsLateInOrder() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    String next = "{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"blob\":\"" + "x".repeat(16_000) + "\"}}}";
    int events = 1_500; // 24 MB: more than the sockets' buffers hold, so the gateway holds the service back
    try (RawWebSocketUpstream service = new RawWebSocketUpstream(peer -> {
      for (int i = 0; i < events; i++) {
        peer.sendText(next);
      }
      peer.sendText("{\"id\":\"1\",\"type\":\"complete\"}");
      peer.sendClose(4001, "feed over");
      RawWebSocketUpstream.Frame answer = peer.readClose();
      seen.add(answer == null ? "eof" : "answer " + answer.close());
    })) {
      int port = gatewayTo(vertx, service.port());
      List<String> types = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
      StringBuilder message = new StringBuilder();
      // the JDK's client (Vert.x's failed its handshake now and then, with the events right behind the 101), reading
      // nothing until asked
      java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/graphql"), new java.net.http.WebSocket.Listener() {
            @Override
            public void onOpen(java.net.http.WebSocket ws) {
              // no request(1): nothing is read until the test asks
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
              message.append(data);
              if (last) {
                types.add(new JsonObject(message.toString()).getString("type"));
                message.setLength(0);
              }
              return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
              closed.complete(statusCode + " " + reason);
              return null;
            }
          }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      try {
        Thread.sleep(1_500);
        socket.request(Long.MAX_VALUE);
        assertThat(closed.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("4001 feed over");
        // before: the service's close overtook the events the gateway held back, and the last of them were lost
        assertThat(types).hasSize(events + 1);
        assertThat(types.get(events)).isEqualTo("complete");
        long wait = System.nanoTime() + 10_000_000_000L;
        while (seen.isEmpty() && System.nanoTime() < wait) {
          Thread.sleep(20);
        }
        assertThat(seen).singleElement().asString().startsWith("answer 4001"); // the JDK's client answers with the code alone
      } finally {
        socket.abort();
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aClientThatStopsReadingHoldsTheServiceBackAndIsCutAtTheSendTimeout() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    String next = "{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"blob\":\"" + "x".repeat(16_000) + "\"}}}";
    try (RawWebSocketUpstream service = new RawWebSocketUpstream(peer -> {
      try {
        for (int i = 0; i < 4_000; i++) { // 64 MB of events
          peer.sendText(next);
        }
        seen.add("all sent"); // before: the gateway read them all, into its memory, for a client that read none
      } catch (java.io.IOException cut) {
        seen.add("cut");
      }
    })) {
      ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
          "http://127.0.0.1:" + service.port() + "/graphql", null, 2_000L, null, 1, null, null).withSendTimeout(1_000);
      GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, new ChaosState(GraphQlFixture.chaos(null), System::nanoTime, 42),
          new ConnectionGate(), 0, ChaosListener.NOOP);
      vertx.deployVerticle(verticle).await();
      // a client that upgrades and then reads nothing
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", verticle.actualPort())) {
        client.getOutputStream().write(("GET /graphql HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (seen.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(seen).containsExactly("cut");
      }
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A client whose connection drops while chaos holds its subscribe (here a delay) has its upstream connection
   * closed once the hold ends, as the README promises: the subscribe's end never reached the relay, which waited
   * on it for ever before closing the upstream, so the service's socket and subscription ran on for nobody.
   */
  @Test
  void aClientThatDropsWhileItsSubscribeIsHeldHasItsUpstreamClosed() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.Promise<Void> upstreamClosed = io.vertx.core.Promise.promise();
      io.vertx.core.Promise<Void> upstreamOpen = io.vertx.core.Promise.promise();
      HttpServer service = vertx.createHttpServer(new HttpServerOptions().addWebSocketSubProtocol("graphql-transport-ws"))
          .webSocketHandler(ws -> {
            upstreamOpen.tryComplete();
            ws.textMessageHandler(text -> {
              if (text.contains("connection_init")) {
                ws.writeTextMessage("{\"type\":\"connection_ack\"}");
              }
            });
            ws.closeHandler(v -> upstreamClosed.tryComplete());
          }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
      ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
          "http://127.0.0.1:" + service.actualPort() + "/graphql", null, 2_000L, null, 1, null, null);
      GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, new ChaosState(GraphQlFixture.chaos("{\"enabled\": true,"
          + " \"rules\": [{\"name\": \"slow\", \"match\": {\"operation_name\": \"Slow\"}, \"latency\": {\"fixed_delay_ms\": 800}}]}"),
          System::nanoTime, 42), new ConnectionGate(), 0, ChaosListener.NOOP);
      vertx.deployVerticle(verticle).await();
      java.util.concurrent.CompletableFuture<String> acked = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket client = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("graphql-transport-ws")
          .buildAsync(URI.create("ws://127.0.0.1:" + verticle.actualPort() + "/graphql"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
              acked.complete(data.toString());
              ws.request(1);
              return null;
            }
          }).get(10, java.util.concurrent.TimeUnit.SECONDS);
      client.sendText("{\"type\":\"connection_init\"}", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(acked.get(5, java.util.concurrent.TimeUnit.SECONDS)).contains("connection_ack");
      upstreamOpen.future().await(5, java.util.concurrent.TimeUnit.SECONDS);
      client.sendText("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription Slow { feed { name } }\"}}", true)
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
      Thread.sleep(200); // the subscribe is held now
      client.abort(); // the connection drops: no close frame
      upstreamClosed.future().await(10, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      vertx.close().await();
    }
  }

  /** A graphql listener (chaos off) in front of an upstream that answers requests with {@code upstream}; answers its port. */
  private static int gatewayTo(Vertx vertx, Handler<HttpServerRequest> upstream) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().addWebSocketSubProtocol("graphql-transport-ws"))
        .requestHandler(upstream).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    return gatewayTo(vertx, server.actualPort());
  }

  /** A graphql listener (chaos off) in front of the upstream on {@code upstreamPort}; answers its port. */
  private static int gatewayTo(Vertx vertx, int upstreamPort) {
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstreamPort + "/graphql", null, 2_000L, null, 1, null, null);
    GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, new ChaosState(GraphQlFixture.chaos(null), System::nanoTime, 42),
        new ConnectionGate(), 0, ChaosListener.NOOP);
    vertx.deployVerticle(verticle).await();
    return verticle.actualPort();
  }

  private static Future<WebSocket> handshake(WebSocketClient client, int port) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/").addSubProtocol("graphql-transport-ws"));
  }

  /**
   * A graphql listener that drains (the gateway shutting down) closes its subscription sockets with 1001, and nothing
   * follows that close frame (RFC 6455 5.5.1), read frame by frame off the wire. A subscription whose service sends
   * 20,000 events at once to a client that reads nothing for a while; then the listener drains and the client reads on: the going-away close comes after events, and nothing after it.
   */
  @Test
  void aDrainsGoingAwayCloseIsTheLastFrameASubscriberGets() throws Exception {
    fixture = new GraphQlFixture(null);
    RawWebSocketUpstream.Peer client = RawWebSocketUpstream.Peer.connect(fixture.port, "/", "graphql-transport-ws");
    try {
      client.sendText("{\"type\":\"connection_init\"}");
      RawWebSocketUpstream.Frame ack = client.read();
      assertThat(new String(ack.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("connection_ack");
      client.sendText("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { feed(count: 20000) { id name } }\"}}");
      RawWebSocketUpstream.Frame first = client.read();
      assertThat(new String(first.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"next\"");
      Thread.sleep(500); // reading nothing: the events pile up in the sockets, and the gateway stops reading the service
      var drained = fixture.verticle.drain(10_000);
      RawWebSocketUpstream.Ending ending = client.readToEnd();
      assertThat(ending.close()).as("a close frame came").isNotNull();
      assertThat(ending.close().close()).isEqualTo("1001 faultline: shutting down");
      assertThat(ending.before()).as("events before the close").isNotEmpty();
      assertThat(ending.after()).as("frames after the close: %d", ending.after().size()).isEmpty();
      drained.await(15, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      client.hangUp();
    }
  }
}
