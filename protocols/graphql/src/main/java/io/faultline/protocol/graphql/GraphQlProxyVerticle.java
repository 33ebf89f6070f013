package io.faultline.protocol.graphql;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.listener.UpstreamChannels;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.RequestChecks;
import io.faultline.chaos.listener.Drainable;
import io.faultline.chaos.listener.ListenerServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.concurrent.TimeUnit;

/**
 * One GraphQL listener: GraphQL over HTTP (POST with a JSON or {@code application/graphql} body, GET
 * with query parameters) forwarded to the route's upstream endpoint with the client's headers. Each
 * document is parsed to learn its operation type, name and selected fields, which rules can target; a
 * document that does not parse is forwarded untouched. Each operation ({@link GraphQlCall}) runs through
 * the chaos lifecycle, which answers in GraphQL's terms ({@link GraphQlTranslator}). Subscriptions over
 * WebSocket ({@code graphql-transport-ws}) are relayed by a {@link SubscriptionRelay}, each
 * {@code subscribe} an exchange of its own ({@link SubscribeTranslator}).
 */
public final class GraphQlProxyVerticle extends VerticleBase implements Drainable {

  /**
   * The largest WebSocket message (and frame) a subscription socket takes either way, as the websocket
   * listener's frames: Vert.x's defaults (64 KiB frames, 256 KiB messages) broke the socket on a larger
   * event from the upstream and dropped a larger message from the client without a word.
   */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;



  /** A GraphQL request body (document and variables) larger than this is refused with 413. */
  static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

  /** Connections to one upstream, per verticle instance (operations past them wait for one). */
  private static final int MAX_CONNECTIONS_PER_UPSTREAM = 256;
  /** An idle upstream connection is closed after this (Vert.x's default; nginx closes its own after 75 s). */
  private static final long KEEP_ALIVE_MS = 60_000;
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(GraphQlProxyVerticle.class.getName());
  /** The subscription protocol whose messages chaos reads (graphql-ws's, Apollo's and Vert.x's). */
  private static final String TRANSPORT_WS = "graphql-transport-ws";
  /** The listeners that said a subscription in another protocol goes untouched (once each, whatever their instances). */
  private static final java.util.Set<String> SAID_UNTOUCHED_PROTOCOL = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private final int bindPort;
  private final ChaosListener events;
  private final RouteTable routes;
  private HttpClient client;
  private UpstreamChannels connections;
  private AnswerDeadlines deadlines;
  private SchemaCache schemas;
  private final DocumentCache documents = new DocumentCache();
  private WebSocketClient wsClient;
  private ExchangeRunner<GraphQlCall> operations;
  private ExchangeRunner<Subscribe> subscribes;
  private HttpServer server;

  /** {@code bindPort} may be negative: Vert.x shares one random port between servers with the same negative port. */
  public GraphQlProxyVerticle(ListenerConfig listener, ChaosState state, ConnectionGate gate, int bindPort, ChaosListener events) {
    this.listener = listener;
    this.state = state;
    this.gate = gate;
    this.bindPort = bindPort;
    this.events = events;
    this.routes = new RouteTable(listener);
  }

  @Override
  public Future<?> start() {
    client = UpstreamClients.pooled(vertx, UpstreamClients.httpOptions(listener), new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    schemas = new SchemaCache(client);
    // operations go out on connections of their own, read and written with Netty's codec, timed by deadlines of their
    // own (as HTTP's plain path: UpstreamChannels and AnswerDeadlines say why)
    connections = new UpstreamChannels(vertx, listener, MAX_CONNECTIONS_PER_UPSTREAM, KEEP_ALIVE_MS);
    deadlines = new AnswerDeadlines(vertx);
    wsClient = WebSocketUpgrades.client(vertx, WebSocketUpgrades.clientOptions(listener)
        .setMaxFrameSize(MAX_MESSAGE_BYTES).setMaxMessageSize(MAX_MESSAGE_BYTES));
    operations = new ExchangeRunner<>(vertx, listener.name(), "graphql", state, events, new GraphQlTranslator(vertx, listener.name()));
    subscribes = new ExchangeRunner<>(vertx, listener.name(), "graphql", state, events, new SubscribeTranslator(vertx, listener.name()));
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            .setHttp2ClearTextEnabled(true)
            .setHandle100ContinueAutomatically(true) // as the HTTP listener: curl waits a second for it before a body
            .setMaxWebSocketFrameSize(MAX_MESSAGE_BYTES)
            .setMaxWebSocketMessageSize(MAX_MESSAGE_BYTES)
            .setWebSocketClosingTimeout(io.faultline.chaos.listener.ClosingHandshake.CLOSING_TIMEOUT_S)
            .setWebSocketSubProtocols(WebSocketUpgrades.ANY_SUBPROTOCOL), true)
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(RequestChecks.guard(this::handle));
    return server.listen(); // ListenerDeployment logs the listener once it is up
  }

  @Override
  public Future<Void> drain(long graceMs) {
    gate.draining();
    return server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    RouteTable.Route route = routes.select(request);
    if (route == null) {
      long started = System.nanoTime();
      GraphQlResponses.send(request.response(), 404,
          GraphQlResponses.error("no route matches " + request.method() + " " + request.uri(), "NOT_FOUND"));
      // counted as the other listeners count what no route took, under route "none" (it was not counted at all)
      operations.untouched(io.faultline.chaos.config.RouteConfig.UNROUTED_NAME, started, "4xx");
      return;
    }
    if (WebSocketUpgrades.isUpgrade(request)) {
      subscribe(request, route);
      return;
    }
    long started = System.nanoTime(); // an upload's time counts, as on the HTTP listener
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(chunk -> {
      if (!tooLarge[0] && body.length() + chunk.length() > MAX_REQUEST_BYTES) {
        tooLarge[0] = true;
        if (request.version() != HttpVersion.HTTP_2) { // the rest of the body is not read; HTTP/2 forbids the header
          request.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        GraphQlResponses.send(request.response(), 413,
            GraphQlResponses.error("request body over " + MAX_REQUEST_BYTES + " bytes", "PAYLOAD_TOO_LARGE"));
      } else if (!tooLarge[0]) {
        body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> {
      if (!tooLarge[0]) {
        new GraphQlCall(request, route, body, started, vertx, connections, deadlines, schemas, documents, operations).run();
      }
    });
  }

  /**
   * GraphQL over WebSocket: opens the upstream's WebSocket (ws:// for http://, wss:// for https://) and
   * relays it; an upstream that refuses the upgrade is passed on, one that is down or too slow answered
   * as an operation's would be (and counted as one).
   */
  private void subscribe(HttpServerRequest request, RouteTable.Route route) {
    request.pause();
    long started = System.nanoTime();
    WebSocketUpgrades.connect(wsClient, request, route.upstream(), route.timeoutMs()).onComplete(ar -> {
      if (ar.failed()) {
        int status;
        if (ar.cause() instanceof UpgradeRejectedException rejected) {
          WebSocketUpgrades.passRejection(request, rejected);
          status = rejected.getStatus();
        } else {
          request.resume();
          String upstream = route.upstream().toString();
          GraphQlAnswer answer = GraphQlTranslator.upstreamAnswer(upstream, ar.cause());
          GraphQlResponses.send(request.response(), answer.status(), GraphQlTranslator.upstreamBody(answer, upstream, ar.cause()));
          status = answer.status();
        }
        operations.untouched(ExchangeRunner.label(route.name()), started, ChaosListener.outcome(status));
        return;
      }
      WebSocket upstream = ar.result();
      upstream.pause();
      // as the WebSocket listener's: Vert.x kept the handshake's connection and its queue for the socket's whole life
      WebSocketUpgrades.releaseHandshakeConnection(upstream);
      WebSocketUpgrades.adoptHandshake(request, upstream);
      request.toWebSocket().onComplete(accepted -> {
        if (accepted.failed()) {
          // the client left during the upstream's handshake: told as a vanished client is everywhere else (it was 1000,
          // a normal closure), and counted, as every other failed upgrade is
          upstream.close((short) io.faultline.chaos.listener.ClosingHandshake.GOING_AWAY, io.faultline.chaos.listener.ClosingHandshake.CLIENT_LOST);
          operations.untouched(ExchangeRunner.label(route.name()), started, "dropped");
          return;
        }
        String protocol = upstream.subProtocol();
        if (protocol != null && !protocol.equals(TRANSPORT_WS) && SAID_UNTOUCHED_PROTOCOL.add(listener.name())) {
          // subscriptions-transport-ws's "graphql-ws" (start, data, stop): relayed, but no subscribe is read in it
          LOG.warning(() -> "listener " + listener.name() + ": a subscription in " + protocol + " is relayed untouched by"
              + " chaos (rules, the graphql section, latency and field faults act on " + TRANSPORT_WS + " subscriptions);"
              + " said once");
        }
        new SubscriptionRelay(vertx, accepted.result(), () -> AbruptClose.close(request.connection()), upstream, request, route.name(),
            subscribes, () -> schemas.schemaFor(route, io.faultline.chaos.listener.RequestChecks.path(request), request.headers()), () -> state.snapshot().enabled(),
            listener.sendTimeout()).start();
      });
    });
  }
}
