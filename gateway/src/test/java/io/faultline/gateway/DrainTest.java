package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node told to stop drains before it closes: {@code /health} answers 503 {@code DRAINING}, the ports
 * refuse new connections, a request in flight is answered, a relayed WebSocket gets a going-away close,
 * and what is still open when {@code shutdown_grace_ms} runs out is closed. Without it a rolling update
 * cut requests in flight, which a team testing resilience would take for injected chaos.
 */
class DrainTest {

  /** How long the upstream takes to answer {@code /slow}. */
  private static final long SLOW_MS = 1500;
  /** How long it takes to answer {@code /slower}: time enough to look at a removal under way on a loaded machine. */
  private static final long SLOWER_MS = 5000;

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  /** Kept for the whole test: Vert.x closes a client it finds unreachable, and its connections with it. */
  private final WebSocketClient webSockets = vertx.createWebSocketClient();
  /**
   * HTTP/1.1: the JDK's client would otherwise upgrade to h2c, and the JDK 17 one fails every open stream
   * on a GOAWAY (JDK-8335181), which a draining HTTP/2 connection sends, streams in flight still answered.
   */
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  /** The requests that reached the upstream. */
  private final AtomicInteger requests = new AtomicInteger();
  /** Completed when a request reaches the upstream's {@code /slow} or {@code /never}. */
  private final CompletableFuture<String> arrived = new CompletableFuture<>();
  /** The upstream ends of the relayed WebSockets, each with the close code it saw once it closes. */
  private final Map<ServerWebSocket, CompletableFuture<Short>> upstreamSockets = new ConcurrentHashMap<>();
  /** A WebSocket echo, for the websocket listener and (speaking its subprotocol) the graphql listener's subscriptions. */
  private final HttpServer wsUpstream = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())
          .addWebSocketSubProtocol("graphql-transport-ws"))
      .webSocketHandler(ws -> {
        CompletableFuture<Short> closed = new CompletableFuture<>();
        upstreamSockets.put(ws, closed);
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
        ws.textMessageHandler(ws::writeTextMessage);
      })
      .listen().await();
  private final HttpServer upstream = vertx.createHttpServer()
      .requestHandler(request -> {
        requests.incrementAndGet();
        arrived.complete(request.path());
        if (request.path().equals("/slow")) {
          vertx.setTimer(SLOW_MS, t -> request.response().end("slow done"));
        } else if (request.path().equals("/slower")) {
          vertx.setTimer(SLOWER_MS, t -> request.response().end("slower done"));
        } else if (request.path().equals("/past-the-bus-timeout")) {
          vertx.setTimer(32_000, t -> request.response().end("done at last"));
        }
      })
      .listen(Upstreams.portToListenOn(), "127.0.0.1").await();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void sigtermAnswersTheRequestInFlightClosesWebSocketsAsGoingAwayAndRefusesNewConnections() throws Exception {
    int admin = Upstreams.portToListenOn();
    int web = Upstreams.portToListenOn();
    int live = Upstreams.portToListenOn();
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, """
        admin: { port: %d }
        listeners:
          - { name: web, protocol: http, port: %d, upstream: "http://127.0.0.1:%d" }
          - { name: live, protocol: websocket, port: %d, upstream: "ws://127.0.0.1:%d" }
        shutdown_grace_ms: 30000
        """.formatted(admin, web, upstream.actualPort(), live, wsUpstream.actualPort()));
    Path log = dir.resolve("gateway.log");
    Process gateway = serve(log, "--config", file.toString(), "--state-dir", dir.resolve("state").toString());
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), gateway, log);
      CompletableFuture<Short> clientClosed = new CompletableFuture<>();
      CompletableFuture<String> echoed = new CompletableFuture<>();
      WebSocket ws = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(live)).await();
      ws.closeHandler(v -> clientClosed.complete(ws.closeStatusCode()));
      ws.textMessageHandler(echoed::complete);
      ws.writeTextMessage("hello").await();
      assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
      CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/slow")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.get(10, TimeUnit.SECONDS)).isEqualTo("/slow");

      List<CompletableFuture<Short>> relayed = upstreamSockets.values().stream().filter(closed -> !closed.isDone()).toList();
      assertThat(relayed).as("upstream sockets open").hasSize(1);
      long stopped = System.nanoTime();
      gateway.destroy(); // SIGTERM
      awaitHealth(admin, 503, "DRAINING", Duration.ofSeconds(5), gateway, log);
      assertThat(slow).as("the request in flight is still waiting for its upstream").isNotDone();
      awaitRefused(web);
      assertThat(clientClosed.get(5, TimeUnit.SECONDS)).as("the client's close code").isEqualTo((short) 1001);
      assertThat(relayed.get(0).get(5, TimeUnit.SECONDS)).as("the upstream's close code").isEqualTo((short) 1001);

      HttpResponse<String> answered = slow.get(10, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.body()).isEqualTo("slow done");
      assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).as("the process ends").isTrue();
      // it ended when its last connection did, not when the 30 s grace ran out
      assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(15));
      assertThat(Files.readString(log)).contains("draining the listeners (grace 30000 ms)").contains("drained in");
    } catch (Exception | AssertionError e) {
      throw new AssertionError(e + "\nthe gateway's log:\n" + Files.readString(log), e);
    } finally {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A second node on a state directory in use is refused at start, naming it: the two destroyed each
   * other's work (the second marked the first's running orchestration failed, each rewrote the saved
   * scenarios from its own memory). A node killed with -9 lets go of it.
   */
  @Test
  void aSecondNodeOnAStateDirectoryInUseIsRefusedUntilTheFirstIsGoneEvenByKill9() throws Exception {
    int admin = Upstreams.portToListenOn();
    Path state = dir.resolve("shared-state");
    Path log = dir.resolve("first.log");
    Process first = serve(log, "--admin-port", String.valueOf(admin), "--http-port", String.valueOf(Upstreams.portToListenOn()),
        "--upstream", "http://127.0.0.1:" + upstream.actualPort(), "--state-dir", state.toString());
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), first, log);
      Map<Flag, String> flags = Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, "http://127.0.0.1:" + upstream.actualPort(),
          Flag.STATE_DIR, state.toString());
      Throwable refused = Gateway.start(ConfigLoader.load(null, Map.of(), flags), null, null).map(g -> (Throwable) null)
          .otherwise(e -> e).await();
      assertThat(refused).isInstanceOf(io.faultline.chaos.config.ChaosConfigException.class);
      assertThat(((io.faultline.chaos.config.ChaosConfigException) refused).field()).isEqualTo("state_dir");
      assertThat(refused.getMessage()).startsWith("another Faultline node is using " + state);
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9: no shutdown ran
      Gateway second = Gateway.start(ConfigLoader.load(null, Map.of(), flags), null, null).await();
      second.close().await();
    } catch (Exception | AssertionError e) {
      throw new AssertionError(e + "\nthe first node's log:\n" + Files.readString(log), e);
    } finally {
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void relayedWebSocketsAndSubscriptionsGoAwayAtOnceWhateverTheGrace() throws Exception {
    Gateway gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(
        Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, "http://127.0.0.1:" + upstream.actualPort(),
        Flag.WEBSOCKET_PORT, "0", Flag.WEBSOCKET_UPSTREAM, "ws://127.0.0.1:" + wsUpstream.actualPort(),
        Flag.GRAPHQL_PORT, "0", Flag.GRAPHQL_UPSTREAM, "http://127.0.0.1:" + wsUpstream.actualPort() + "/graphql")), null, null).await();
    try {
      List<CompletableFuture<Short>> clientsClosed = new ArrayList<>();
      for (WebSocketConnectOptions options : List.of(
          new WebSocketConnectOptions().setPort(gateway.listenerPort("live")),
          new WebSocketConnectOptions().setPort(gateway.listenerPort("gql")).setURI("/graphql").addSubProtocol("graphql-transport-ws"))) {
        WebSocket ws = webSockets.connect(options.setHost("127.0.0.1")).await();
        CompletableFuture<Short> closed = new CompletableFuture<>();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
        ws.textMessageHandler(echoed::complete);
        ws.writeTextMessage("{\"type\":\"ping\"}").await();
        assertThat(echoed.get(10, TimeUnit.SECONDS)).as(options.getURI()).isEqualTo("{\"type\":\"ping\"}");
        clientsClosed.add(closed);
      }
      List<CompletableFuture<Short>> relayed = upstreamSockets.values().stream().filter(closed -> !closed.isDone()).toList();
      assertThat(relayed).as("upstream sockets open").hasSize(2);

      long started = System.nanoTime();
      gateway.drain(30_000).await(20, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the drain does not wait out the 30 s grace")
          .isLessThan(Duration.ofSeconds(10));
      for (CompletableFuture<Short> closed : clientsClosed) {
        assertThat(closed.get(5, TimeUnit.SECONDS)).as("a client's close code").isEqualTo((short) 1001);
      }
      for (CompletableFuture<Short> closed : relayed) {
        assertThat(closed.get(5, TimeUnit.SECONDS)).as("an upstream's close code").isEqualTo((short) 1001);
      }
    } finally {
      gateway.close().await();
    }
  }

  @Test
  void anHttp2StreamInFlightIsAnsweredAfterTheGoaway() throws Exception {
    Gateway gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(
        Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, "http://127.0.0.1:" + upstream.actualPort())), null, null).await();
    try {
      io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(gateway.listenerPort("web")));
      CompletableFuture<Void> goaway = new CompletableFuture<>();
      Future<String> slow = h2.request(HttpMethod.GET, "/slow").compose(request -> {
        request.connection().goAwayHandler(g -> goaway.complete(null));
        return request.send().compose(response -> response.body().map(body -> response.version() + " " + response.statusCode() + " " + body));
      });
      assertThat(arrived.get(10, TimeUnit.SECONDS)).isEqualTo("/slow");
      Future<Void> drained = gateway.drain(30_000);
      goaway.get(5, TimeUnit.SECONDS);
      assertThat(slow.await(10, TimeUnit.SECONDS)).isEqualTo("HTTP_2 200 slow done");
      drained.await(10, TimeUnit.SECONDS);
      h2.close().await(); // (and so kept reachable until here: Vert.x closes a client it finds unreachable)
    } finally {
      gateway.close().await();
    }
  }

  /**
   * A removal whose drain lasts past the event bus's 30 s answers once it has ended (32 s here): it was
   * answered 504 "the control plane did not answer in time" at 30 s, though the removal went on and succeeded.
   */
  @Test
  void aRemovalWhoseDrainOutlastsThirtySecondsIsAnsweredWhenItEnds() throws Exception {
    Gateway gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0")), null, null).await();
    try {
      HttpResponse<String> added = admin(gateway, "POST", "/api/listeners", "{\"name\": \"extra\", \"protocol\": \"http\", "
          + "\"port\": 0, \"timeout_ms\": 60000, \"upstream\": \"http://127.0.0.1:" + upstream.actualPort() + "\"}").get(10, TimeUnit.SECONDS);
      assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
      int extra = new JsonObject(added.body()).getInteger("port");
      CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + extra + "/past-the-bus-timeout")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.get(10, TimeUnit.SECONDS)).isEqualTo("/past-the-bus-timeout");
      HttpResponse<String> removed = admin(gateway, "DELETE", "/api/listeners/extra?grace_ms=60000").get(60, TimeUnit.SECONDS);
      assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
      assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("done at last");
    } finally {
      gateway.close().await();
    }
  }

  @Test
  void aListenerRemovedWithAGraceAnswersItsRequestInFlightWhileItsPortRefuses() throws Exception {
    Gateway gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0")), null, null).await();
    try {
      int extra = addListener(gateway, "extra");
      CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + extra + "/slower")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.get(10, TimeUnit.SECONDS)).isEqualTo("/slower");
      // a keep-alive client's request in flight too: its answer says the connection closes, so the client does
      // not send its next request into the close (every keep-alive connection lost one request at a drain)
      Socket keepAlive = new Socket("127.0.0.1", extra);
      keepAlive.setSoTimeout(10_000);
      keepAlive.getOutputStream().write("GET /slower HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long deadlineKeepAlive = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (requests.get() < 2 && System.nanoTime() < deadlineKeepAlive) {
        Thread.sleep(20);
      }

      long started = System.nanoTime();
      CompletableFuture<HttpResponse<String>> removed = admin(gateway, "DELETE", "/api/listeners/extra?grace_ms=30000");
      awaitRefused(extra);
      assertThat(slow).as("still in flight").isNotDone();
      assertThat(removed).as("the removal is answered once the listener has drained").isNotDone();
      HttpResponse<String> twice = admin(gateway, "DELETE", "/api/listeners/extra").get(10, TimeUnit.SECONDS);
      assertThat(twice.statusCode()).isEqualTo(409);
      assertThat(twice.body()).contains("listener extra is already being removed");
      // its port is said to be held by the drain, not by a listener that still listens
      HttpResponse<String> swap = admin(gateway, "POST", "/api/listeners", "{\"name\": \"swap\", \"protocol\": \"http\", \"port\": "
          + extra + ", \"upstream\": \"http://127.0.0.1:" + upstream.actualPort() + "\"}").get(10, TimeUnit.SECONDS);
      assertThat(swap.statusCode()).isEqualTo(409);
      assertThat(swap.body()).contains("is taken by listener extra (being removed: the port is free once its drain ends)");
      // and its name likewise (it was said to exist, as if nothing were removing it)
      HttpResponse<String> sameName = admin(gateway, "POST", "/api/listeners", "{\"name\": \"extra\", \"protocol\": \"http\", \"port\": 0,"
          + " \"upstream\": \"http://127.0.0.1:" + upstream.actualPort() + "\"}").get(10, TimeUnit.SECONDS);
      assertThat(sameName.statusCode()).isEqualTo(409);
      assertThat(sameName.body()).contains("a listener named extra already exists (being removed: the name is free once its drain ends)");
      HttpResponse<String> answer = slow.get(10, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("slower done");
      String keptAlive = new String(keepAlive.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      keepAlive.close();
      assertThat(keptAlive).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nconnection: close\r\n").endsWith("slower done");
      assertThat(removed.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("when the request ended, not the grace")
          .isLessThan(Duration.ofMillis(SLOWER_MS + 5_000));
      assertThat(admin(gateway, "GET", "/api/listeners").get(10, TimeUnit.SECONDS).body()).doesNotContain("extra");

      // Bad graces are refused naming the field, the listener left running; without one a removal closes at once.
      int again = addListener(gateway, "again");
      for (String bad : List.of("-1", "soon", "3600001", "1.5")) {
        HttpResponse<String> refused = admin(gateway, "DELETE", "/api/listeners/again?grace_ms=" + bad).get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).as(bad).isEqualTo(400);
        assertThat(refused.body()).contains("\"field\":\"grace_ms\"").contains("got " + bad);
      }
      try (Socket socket = new Socket("127.0.0.1", again)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /never HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.get() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(requests.get()).as("the third request reached the upstream").isEqualTo(3);
        assertThat(admin(gateway, "DELETE", "/api/listeners/again").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
            .as("the request in flight is cut, not answered 502 as if its upstream had failed").isEmpty();
      }
      assertRefused(again);
    } finally {
      gateway.close().await();
    }
  }

  /** Adds an http listener named {@code name} in front of the test's upstream over the admin API; its port. */
  private int addListener(Gateway gateway, String name) throws Exception {
    HttpResponse<String> added = admin(gateway, "POST", "/api/listeners", "{\"name\": \"" + name + "\", \"protocol\": \"http\", "
        + "\"port\": 0, \"upstream\": \"http://127.0.0.1:" + upstream.actualPort() + "\"}").get(10, TimeUnit.SECONDS);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    return new JsonObject(added.body()).getInteger("port");
  }

  private CompletableFuture<HttpResponse<String>> admin(Gateway gateway, String method, String path) {
    return admin(gateway, method, path, null);
  }

  private CompletableFuture<HttpResponse<String>> admin(Gateway gateway, String method, String path, String body) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void whatIsStillOpenWhenTheGraceRunsOutIsClosed() throws Exception {
    int echo = Upstreams.echoTcp(vertx);
    Gateway gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(
        Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, "http://127.0.0.1:" + upstream.actualPort(),
        Flag.TCP_PORT, "0", Flag.TCP_UPSTREAM, "127.0.0.1:" + echo)), null, null).await();
    try {
      int web = gateway.listenerPort("web");
      int tcp = gateway.listenerPort("tcp");
      CompletableFuture<HttpResponse<String>> never = client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/never")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.get(10, TimeUnit.SECONDS)).isEqualTo("/never");
      try (Socket socket = new Socket("127.0.0.1", tcp)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        assertThat(new String(Upstreams.readUpTo(in, 4), StandardCharsets.US_ASCII)).isEqualTo("ping");

        long started = System.nanoTime();
        gateway.drain(500).await(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("the drain waits out the grace for what is open").isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
        assertThat(in.read()).as("the TCP connection is closed at the grace's end").isEqualTo(-1);
      }
      assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS)).as("the request the upstream never answered is cut")
          .hasCauseInstanceOf(IOException.class);
      assertRefused(web);
      assertRefused(tcp);
      HttpResponse<String> health = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.adminPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("DRAINING");
    } finally {
      gateway.close().await();
    }
  }

  /** {@code faultline serve} with its admin API on {@code admin}, its state in {@code state}, its output in {@code log}. */
  private Process serveWithState(int admin, Path state, Path log) throws Exception {
    return serve(log, "--admin-port", String.valueOf(admin), "--http-port", String.valueOf(Upstreams.portToListenOn()),
        "--state-dir", state.toString());
  }

  /** Starts the orchestration {@code yaml} on the node whose admin port is {@code admin}; answers its run id. */
  private String startRun(int admin, String yaml) throws Exception {
    HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
        + "/api/chaos/orchestration/start")).POST(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    return new JsonObject(started.body()).getString("run_id");
  }

  /** How often a running run's marker is written again (RunFeed's). */
  private static final long MARKER_REFRESH_MS = 5_000;

  /**
   * A node killed mid-run (kill -9: no stop, no report) keeps the run at its next start, as failed and saying
   * where it was, ending when it was last seen alive; nothing of it was kept before. A stray file among the
   * markers keeps none of them out.
   */
  @Test
  void aRunAKillInterruptsIsKeptAsFailedAtTheNodesNextStart() throws Exception {
    int admin = Upstreams.portToListenOn();
    Path state = dir.resolve("killed-state");
    Path log = dir.resolve("killed.log");
    Process gateway = serveWithState(admin, state, log);
    String id;
    long killedAt;
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), gateway, log);
      id = startRun(admin, """
          name: killed
          tags: [nightly]
          steps:
            - {name: first, scenario: {config: {enabled: false}}, duration_seconds: 0.5}
            - {name: second, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 60}
          """);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (true) {
        JsonObject status = new JsonObject(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
            + "/api/chaos/orchestration/status")).build(), HttpResponse.BodyHandlers.ofString()).body());
        if ("second".equals(status.getString("current_step"))) {
          break;
        }
        assertThat(System.nanoTime()).as("the run reaches its second step: " + status).isLessThan(deadline);
        Thread.sleep(50);
      }
      // a file there that is no run's marker (placed by hand: report_path and the export refuse the directory)
      // kept every interrupted run out of history, the store refusing its row and with it all the others
      Files.writeString(state.resolve("runs-open").resolve("stray.json"), "{\"id\": \"not a marker\"}");
      // the marker is written again every 5 s: the run is kept as ending when it was last seen alive, not
      // when its second step began (0.5 s in)
      Thread.sleep(2 * MARKER_REFRESH_MS + 1_200);
    } finally {
      killedAt = System.currentTimeMillis();
      gateway.destroyForcibly(); // SIGKILL: nothing runs on the way out
      gateway.waitFor(10, TimeUnit.SECONDS);
    }
    try (GatewayFixture again = new GatewayFixture(Map.of(Flag.STATE_DIR, state.toString()))) {
      var kept = again.get("/api/history/runs/" + id);
      assertThat(kept.statusCode()).as(kept.bodyAsString()).isEqualTo(200);
      JsonObject run = kept.bodyAsJsonObject();
      assertThat(run.getString("status")).isEqualTo("failed");
      assertThat(run.getString("name")).isEqualTo("killed");
      assertThat(run.getJsonArray("errors").getString(0))
          .isEqualTo("interrupted: the node stopped while the run was in step second (1 step done); what it measured is lost");
      assertThat(run.getLong("ended_at")).as("kept as ending when last seen alive, killed at " + killedAt)
          .isBetween(killedAt - 2 * MARKER_REFRESH_MS, killedAt); // one refresh, and slack for a loaded machine
      // with its tags and mode: a failed nightly run was missing from ?tag=nightly
      assertThat(run.getJsonArray("tags")).containsExactly("nightly");
      assertThat(run.getString("mode")).isEqualTo("sequential");
      JsonArray tagged = again.get("/api/history/runs?tag=nightly").bodyAsJsonObject().getJsonArray("runs");
      assertThat(tagged.stream().map(r -> ((JsonObject) r).getString("id"))).containsExactly(id);
      try (var left = Files.list(state.resolve("runs-open"))) {
        assertThat(left.map(f -> f.getFileName().toString())).as("the marker is gone once kept, the stray file left alone")
            .containsExactly("stray.json");
      }
    }
  }

  /**
   * A run that ends while the store cannot take its row (a database busy beyond its 10 s wait, a shared one restarting),
   * then a kill (here while its write waits on the busy store): the run is kept at the next start as it ended. Its marker
   * went at its end whether the write had worked or not, and the kill lost the row: no trace of the run was left.
   */
  @Test
  void aRunWhoseRowCouldNotBeWrittenWhenItEndedSurvivesAKill() throws Exception {
    int admin = Upstreams.portToListenOn();
    Path state = dir.resolve("busy-state");
    Path log = dir.resolve("busy.log");
    Process gateway = serveWithState(admin, state, log);
    String id;
    java.sql.Connection lock = null;
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), gateway, log);
      // another writer holds the database (SQLite's exclusive transaction) until after the kill
      lock = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("history.db"));
      lock.createStatement().execute("BEGIN EXCLUSIVE");
      id = startRun(admin, """
          name: ended-busy
          tags: [nightly]
          steps:
            - {name: only, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 1}
          """);
      Path marker = state.resolve("runs-open").resolve(id + ".json");
      // the run ends (1 s): its marker holds the ended run before its write begins, well before that write gives up on the
      // busy store (10 s), so the kill below comes while the write waits
      long deadline = System.nanoTime() + 9_000_000_000L;
      while (true) {
        String text;
        try {
          text = Files.readString(marker);
        } catch (java.nio.file.NoSuchFileException e) {
          text = null;
        }
        if (text != null && text.contains("\"ended\"")) {
          break;
        }
        assertThat(System.nanoTime()).as("the run's marker holds the ended run before its write: " + text).isLessThan(deadline);
        Thread.sleep(100);
      }
    } finally {
      gateway.destroyForcibly(); // SIGKILL: the write waiting on the store goes with the process
      gateway.waitFor(10, TimeUnit.SECONDS);
      if (lock != null) {
        lock.close(); // its transaction rolls back: the database is free again
      }
    }
    try (GatewayFixture again = new GatewayFixture(Map.of(Flag.STATE_DIR, state.toString()))) {
      var kept = again.get("/api/history/runs/" + id);
      assertThat(kept.statusCode()).as(kept.bodyAsString()).isEqualTo(200);
      JsonObject run = kept.bodyAsJsonObject();
      assertThat(run.getString("name")).isEqualTo("ended-busy");
      assertThat(run.getString("status")).as("as it ended, not as interrupted").isEqualTo("succeeded");
      assertThat(run.getJsonArray("tags")).containsExactly("nightly");
      long until = System.nanoTime() + 10_000_000_000L;
      while (true) { // its marker goes once it is kept, just after the start
        try (var left = Files.list(state.resolve("runs-open"))) {
          List<Path> files = left.toList();
          if (files.isEmpty()) {
            break;
          }
          assertThat(System.nanoTime()).as("its marker is gone once kept: " + files).isLessThan(until);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * A run that has ended is in history at once, not at the next flush (here an hour away), and so survives a kill -9
   * right after it: its marker went at its end and its row waited in the queue, so such a kill lost it.
   */
  @Test
  void aRunThatEndedIsKeptThoughTheNodeIsKilledBeforeTheNextFlush() throws Exception {
    int admin = Upstreams.portToListenOn();
    Path state = dir.resolve("flushed-state");
    Path config = Files.writeString(dir.resolve("slow-flush.yaml"), "history: {flush_ms: 3600000}\n");
    Process gateway = serve(dir.resolve("flushed.log"), "--config", config.toString(), "--admin-port", String.valueOf(admin),
        "--http-port", String.valueOf(Upstreams.portToListenOn()), "--state-dir", state.toString());
    String id;
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), gateway, dir.resolve("flushed.log"));
      id = startRun(admin, "name: short\nsteps:\n  - {name: only, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 0.3}\n");
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/history/runs/" + id)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
        assertThat(System.nanoTime()).as("the ended run is in history well before the hour's flush").isLessThan(deadline);
        Thread.sleep(50);
      }
    } finally {
      gateway.destroyForcibly(); // SIGKILL, with the hour's flush still to come
      gateway.waitFor(10, TimeUnit.SECONDS);
    }
    try (GatewayFixture again = new GatewayFixture(Map.of(Flag.STATE_DIR, state.toString()))) {
      var kept = again.get("/api/history/runs/" + id);
      assertThat(kept.statusCode()).as(kept.bodyAsString()).isEqualTo(200);
      assertThat(kept.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
      try (var left = Files.list(state.resolve("runs-open"))) {
        assertThat(left).as("its marker is gone").isEmpty();
      }
    }
  }

  /**
   * SIGTERM stops a running orchestration as {@code orchestrate stop} would: its history row and its
   * report are kept. The report was not: the row came back after a restart, {@code reports/} did not exist.
   */
  @Test
  void aRunSigtermStopsKeepsItsReportAndItsHistoryRow() throws Exception {
    int admin = Upstreams.portToListenOn();
    Path state = dir.resolve("stopped-state");
    Path log = dir.resolve("stopped.log");
    Process gateway = serve(log, "--admin-port", String.valueOf(admin), "--http-port", String.valueOf(Upstreams.portToListenOn()),
        "--state-dir", state.toString(), "--shutdown-grace-ms", "8000");
    String id;
    try {
      awaitHealth(admin, 200, "UP", Duration.ofSeconds(60), gateway, log);
      HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
          + "/api/chaos/orchestration/start")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
              {"name": "held", "steps": [{"name": "slow", "scenario": {"name": "x", "config": {"enabled": true,
                "latency": {"enabled": true, "fixed_delay_ms": 5000}}}, "duration_seconds": 60}]}""")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      id = new JsonObject(started.body()).getString("run_id");
      Thread.sleep(1_000);
      gateway.destroy(); // SIGTERM
      assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("the process ends").isTrue();
      assertThat(state.resolve("reports").resolve(id + ".json")).as("the report file").exists();
    } catch (Exception | AssertionError e) {
      throw new AssertionError(e + "\nthe gateway's log:\n" + Files.readString(log), e);
    } finally {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (GatewayFixture again = new GatewayFixture(Map.of(Flag.STATE_DIR, state.toString()))) {
      var report = again.get("/api/chaos/orchestration/reports/" + id);
      assertThat(report.statusCode()).as(report.bodyAsString()).isEqualTo(200);
      assertThat(report.bodyAsJsonObject().getString("status")).isEqualTo("stopped");
      // and says why: an A/B test it ended said only that its sample "was stopped: the A/B test ended with it"
      assertThat(report.bodyAsJsonObject().getJsonArray("errors")).containsExactly("the node stopped while the run was going");
      assertThat(again.get("/api/history/runs/" + id).bodyAsJsonObject().getString("status")).isEqualTo("stopped");
    }
  }

  /** {@code faultline serve ARGS} in a JVM of its own, as a user runs it, its output to {@code log}. */
  private static Process serve(Path log, String... args) throws java.io.IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private void awaitHealth(int port, int status, String says, Duration within, Process gateway, Path log) throws Exception {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + within.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> answer = client.send(health, HttpResponse.BodyHandlers.ofString());
        seen.add(answer.statusCode() + " " + answer.body());
        if (answer.statusCode() == status && answer.body().contains("\"" + says + "\"")) {
          return;
        }
      } catch (ConnectException notYet) {
        // not up yet
      }
      if (!gateway.isAlive()) {
        throw new AssertionError("the gateway exited (" + gateway.exitValue() + "):\n" + Files.readString(log));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("/health never answered " + status + " " + says + "; it answered " + seen + "\n" + Files.readString(log));
  }

  /** Waits (5 s at most) until port refuses connections. */
  private static void awaitRefused(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        Thread.sleep(20);
      } catch (ConnectException refused) {
        return;
      }
    }
    assertRefused(port);
  }

  private static void assertRefused(int port) {
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("port " + port + " refuses").isInstanceOf(ConnectException.class);
  }

}
