package io.faultline.protocol.graphql;

import graphql.GraphQL;
import graphql.execution.reactive.SingleSubscriberPublisher;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real GraphQL upstream (Vert.x Web GraphQL on graphql-java, a small shop schema), a real
 * {@link GraphQlProxyVerticle} in front of it, and a real HTTP client, all on loopback.
 */
final class GraphQlFixture implements AutoCloseable {

  static final String SCHEMA = """
      type Query { user(id: ID!): User, users: [User!]!, hello: String, header(name: String!): String, slow(ms: Int!): String,
        blob(size: Int!): String, echo(text: String): Int }
      type User { id: ID!, name: String, orders: [Order!] }
      type Order { id: ID!, total: Float }
      type Mutation { checkout(total: Float!): Order }
      type Subscription { feed(count: Int!): User, ticks(count: Int!, ms: Int!): User }
      """;

  final Vertx vertx = Vertx.vertx();
  final AtomicInteger upstreamHits = new AtomicInteger();
  /** The request target of every request the upstream got, in order. */
  final List<String> upstreamTargets = new java.util.concurrent.CopyOnWriteArrayList<>();
  final HttpServer upstream;
  final ChaosState state;
  final RecordingListener events = new RecordingListener();
  final GraphQlProxyVerticle verticle;
  final int port;
  final WebClient client;
  /**
   * Held for the fixture's life: Vert.x 5 shuts a client down once it is unreachable (a Cleaner), open
   * connections and handshakes in progress included, so a client made inline can be collected mid-handshake.
   */
  final WebSocketClient webSockets;

  GraphQlFixture(String chaosJson) {
    Map<String, Object> ada = user("1", "Ada");
    Map<String, Object> linus = user("2", "Linus");
    RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
        .type("Query", t -> t
            .dataFetcher("user", env -> env.getArgument("id").equals("1") ? ada : linus)
            .dataFetcher("users", env -> List.of(ada, linus))
            .dataFetcher("hello", env -> "world")
            .dataFetcher("blob", env -> "x".repeat(env.<Integer>getArgument("size")))
            .dataFetcher("echo", env -> env.<String>getArgument("text") == null ? 0 : env.<String>getArgument("text").length())
            .dataFetcher("slow", env -> {
              java.util.concurrent.CompletableFuture<String> later = new java.util.concurrent.CompletableFuture<>();
              vertx.setTimer(env.<Integer>getArgument("ms"), id -> later.complete("late"));
              return later;
            })
            .dataFetcher("header", env -> ((RoutingContext) env.getGraphQlContext().get(RoutingContext.class))
                .request().getHeader(env.<String>getArgument("name"))))
        .type("Mutation", t -> t.dataFetcher("checkout", env -> Map.<String, Object>of("id", "o-9", "total", env.<Double>getArgument("total"))))
        .type("Subscription", t -> t.dataFetcher("feed", env -> {
          SingleSubscriberPublisher<Object> publisher = new SingleSubscriberPublisher<>();
          int count = env.<Integer>getArgument("count");
          for (int i = 0; i < count; i++) {
            publisher.offer(i % 2 == 0 ? ada : linus);
          }
          publisher.noMoreData();
          return publisher;
        }).dataFetcher("ticks", env -> {
          // COUNT users, one every MS ms
          SingleSubscriberPublisher<Object> publisher = new SingleSubscriberPublisher<>();
          int count = env.<Integer>getArgument("count");
          int[] sent = {0};
          vertx.setPeriodic(env.<Integer>getArgument("ms"), id -> {
            publisher.offer(sent[0] % 2 == 0 ? ada : linus);
            if (++sent[0] == count) {
              vertx.cancelTimer(id);
              publisher.noMoreData();
            }
          });
          return publisher;
        }))
        .build();
    GraphQL graphQL = GraphQL.newGraphQL(new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(SCHEMA), wiring)).build();
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      upstreamHits.incrementAndGet();
      upstreamTargets.add(ctx.request().uri());
      ctx.next();
    });
    router.post("/graphql").handler(BodyHandler.create()); // not on the WebSocket upgrade: it would consume the handshake
    router.route("/graphql").handler(GraphQLWSHandler.create(graphQL)).handler(GraphQLHandler.create(graphQL));
    // compressed answers when a client asks for them, as most GraphQL servers behind a gateway give
    upstream = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true).addWebSocketSubProtocol("graphql-transport-ws")
            .setMaxWebSocketFrameSize(GraphQlProxyVerticle.MAX_MESSAGE_BYTES).setMaxWebSocketMessageSize(GraphQlProxyVerticle.MAX_MESSAGE_BYTES))
        .requestHandler(router).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    state = new ChaosState(chaos(chaosJson), System::nanoTime, 42);
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 2_000L, null, 1, null, null);
    verticle = new GraphQlProxyVerticle(listener, state, new ConnectionGate(), 0, events);
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
    client = WebClient.create(vertx);
    webSockets = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setMaxFrameSize(GraphQlProxyVerticle.MAX_MESSAGE_BYTES).setMaxMessageSize(GraphQlProxyVerticle.MAX_MESSAGE_BYTES));
  }

  private static Map<String, Object> user(String id, String name) {
    return Map.of("id", id, "name", name, "orders", List.of(Map.of("id", id + "-a", "total", 10.5), Map.of("id", id + "-b", "total", 3.0)));
  }

  static ChaosConfig chaos(String json) {
    return json == null ? ChaosConfig.off() : ChaosJson.parse(json, ChaosConfig.class, "");
  }

  /** POSTs {@code query} to the gateway as GraphQL-over-HTTP JSON. */
  HttpResponse<Buffer> post(String query) {
    return post(new JsonObject().put("query", query));
  }

  HttpResponse<Buffer> post(JsonObject body) {
    return client.post(port, "127.0.0.1", "/").putHeader("X-Request-Id", "r-1").sendJsonObject(body).await();
  }

  /** The same request straight to the upstream, for comparison. */
  HttpResponse<Buffer> direct(String query) {
    return client.post(upstream.actualPort(), "127.0.0.1", "/graphql").sendJsonObject(new JsonObject().put("query", query)).await();
  }

  /**
   * Runs {@code subscription} over graphql-transport-ws through the gateway and answers every message
   * the server sent for it (next, error, complete), in order.
   */
  List<JsonObject> subscribe(String subscription) throws Exception {
    return subscribe(subscription, null);
  }

  /** {@link #subscribe(String)} with {@code variables}. */
  List<JsonObject> subscribe(String subscription, JsonObject variables) throws Exception {
    List<JsonObject> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    var ws = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/").addSubProtocol("graphql-transport-ws")).map(socket -> socket.textMessageHandler(text -> {
          JsonObject message = new JsonObject(text);
          switch (message.getString("type")) {
            case "connection_ack" -> socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe")
                .put("payload", new JsonObject().put("query", subscription).put("variables", variables)).encode());
            case "next" -> messages.add(message);
            case "error", "complete" -> {
              messages.add(message);
              done.tryComplete();
            }
            default -> { }
          }
        })).await();
    assertSubprotocol(ws.subProtocol());
    ws.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
    done.future().await(10, java.util.concurrent.TimeUnit.SECONDS);
    ws.close().await();
    return messages;
  }

  /** One message a {@link Session} got, and when (ms since the session's connection). */
  record Received(JsonObject message, long atMs) {
    String type() {
      return message.getString("type");
    }

    String id() {
      return message.getString("id");
    }
  }

  /** A graphql-transport-ws connection through the gateway, acknowledged, that keeps every message it gets. */
  final class Session {
    final io.vertx.core.http.WebSocket socket;
    final List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long opened = System.nanoTime();

    Session() throws Exception {
      io.vertx.core.Promise<Void> acked = io.vertx.core.Promise.promise();
      socket = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/").addSubProtocol("graphql-transport-ws")).await();
      socket.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if ("connection_ack".equals(message.getString("type"))) {
          acked.tryComplete();
        } else {
          received.add(new Received(message, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened)));
        }
      });
      socket.writeTextMessage(new JsonObject().put("type", "connection_init").encode());
      acked.future().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    void subscribe(String id, String query) {
      socket.writeTextMessage(new JsonObject().put("id", id).put("type", "subscribe").put("payload", new JsonObject().put("query", query)).encode());
    }

    void send(String type, String id) {
      socket.writeTextMessage(new JsonObject().put("type", type).put("id", id).encode());
    }

    /** The messages of subscription {@code id} (null: those without an id), once {@code count} of them have come. */
    List<Received> await(String id, int count) {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (true) {
        List<Received> of = received.stream().filter(r -> java.util.Objects.equals(id, r.id())).toList();
        if (of.size() >= count) {
          return of;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(count + " messages for " + id + " did not come; got " + received);
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  private static void assertSubprotocol(String chosen) {
    if (!"graphql-transport-ws".equals(chosen)) {
      throw new AssertionError("the gateway should have accepted graphql-transport-ws, got " + chosen);
    }
  }

  void setChaos(String json) {
    state.set(chaos(json));
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
