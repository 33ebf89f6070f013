package io.faultline.admin.graphql;

import graphql.GraphQL;
import io.faultline.admin.AdminVerticle;
import io.faultline.admin.api.ApiError;
import io.faultline.orchestration.OrchestratorVerticle;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.control.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.ws.ConnectionInitEvent;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The GraphQL control API on the admin port ({@code /graphql}, HTTP and {@code graphql-transport-ws}):
 * the same event-bus addresses as the REST API, as queries, mutations and a {@code chaosChanged}
 * subscription. Control failures come back as GraphQL errors whose {@code extensions} carry the REST
 * status as {@code code} ({@code BAD_REQUEST}, {@code NOT_FOUND}) and the offending {@code field}.
 */
public final class GraphQlApi {

  /** The WebSocket subprotocol the admin server must accept for subscriptions. */
  public static final String WS_PROTOCOL = "graphql-transport-ws";

  /** Changes made through this API say so in the chaos change log. */
  /**
   * This node's own handlers, as the REST API's ({@code ControlBus}): on a clustered bus an address was first looked
   * up in Hazelcast, which waits out a hung member, and the kill switch then acted only after its failure timeout.
   */
  private static final io.vertx.core.eventbus.DeliveryOptions SOURCE =
      new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "graphql").setLocalOnly(true);

  private final EventBus bus;
  private final String token;
  private Handlers handlers; // built by the first request to /graphql, on the admin verticle's event loop

  private record Handlers(GraphQLWSHandler socket, GraphQLHandler http) {}

  /** {@code token}: the admin token a WebSocket without an {@code Authorization} header must give in its connection_init (null: none). */
  public GraphQlApi(EventBus bus, String token) {
    this.bus = bus;
    this.token = token;
  }

  /**
   * Mounts {@code /graphql}. The schema and its handlers are built on the first request to it, not at
   * start: graphql-java's schema generator loads about 500 classes (17 MiB less resident memory at start
   * without them) that a gateway whose admin API is never asked a GraphQL question should not carry.
   */
  public void mount(Router router) {
    router.route("/graphql")
        .handler(GraphQlRequests::check)
        .handler(ctx -> handlers().socket().handle(ctx))
        .handler(ctx -> handlers().http().handle(ctx));
  }

  /** The most fields one document may select (each counts 1), and how deep: far above what the console and scripts ask. */
  static final int MAX_FIELDS = 500;
  static final int MAX_DEPTH = 12;

  private Handlers handlers() {
    if (handlers == null) {
      // each field is a read of the control plane or the history store (an export, a search): a document of thousands of
      // aliases, which a GET can carry, started that many at once and held every answer in one
      GraphQL graphQL = GraphQL.newGraphQL(new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(schema()), wiring()))
          .instrumentation(new graphql.execution.instrumentation.ChainedInstrumentation(
              new graphql.analysis.MaxQueryDepthInstrumentation(MAX_DEPTH), new graphql.analysis.MaxQueryComplexityInstrumentation(MAX_FIELDS)))
          .build();
      handlers = new Handlers(GraphQLWSHandler.builder(graphQL).onConnectionInit(this::connectionInit).build(),
          GraphQLHandler.create(graphQL));
    }
    return handlers;
  }

  /** True for a WebSocket upgrade of {@code /graphql} asking for {@link #WS_PROTOCOL}: it is answered only by the WebSocket handler. */
  public static boolean isSubscriptionSocket(HttpServerRequest request) {
    String protocols = request.getHeader("Sec-WebSocket-Protocol");
    return request.path().equals("/graphql") && request.canUpgradeToWebSocket() && protocols != null
        && java.util.Arrays.stream(protocols.split(",")).anyMatch(p -> p.trim().equals(WS_PROTOCOL));
  }

  /**
   * A socket is accepted when no token is set, when its upgrade carried {@code Authorization: Bearer TOKEN},
   * or when its connection_init payload does ({@code {"Authorization": "Bearer TOKEN"}}, what browsers can
   * send); else it is closed with 4401 Unauthorized.
   */
  private void connectionInit(ConnectionInitEvent event) {
    Object payload = event.message().message().getValue("payload");
    String given = null;
    if (payload instanceof JsonObject json) {
      for (java.util.Map.Entry<String, Object> entry : json) { // the key in any case, as a header's name
        if (entry.getKey().equalsIgnoreCase("authorization") && entry.getValue() instanceof String s) {
          given = s;
        }
      }
    }
    if (token == null || AdminVerticle.bearer(token, event.message().socket().headers().get("Authorization"))
        || AdminVerticle.bearer(token, given)) {
      event.complete();
    } else {
      event.fail("a valid bearer token is required in connection_init: {\"Authorization\": \"Bearer TOKEN\"}");
    }
  }

  private RuntimeWiring wiring() {
    HistoryGraphQl history = new HistoryGraphQl(this);
    return RuntimeWiring.newRuntimeWiring()
        .scalar(JsonScalar.TYPE)
        .type("Query", t -> t
            .dataFetcher("status", call(Addresses.CHAOS_STATUS, env -> null, GraphQlApi::status))
            .dataFetcher("config", call(Addresses.CHAOS_GET, env -> null, JsonObject::getMap))
            .dataFetcher("section", this::section)
            .dataFetcher("rules", call(Addresses.RULES_LIST, env -> null, reply -> reply.getJsonArray("rules").getList()))
            .dataFetcher("scenarios", call(Addresses.SCENARIO_LIST, env -> null, GraphQlApi::scenarios))
            .dataFetcher("nodes", call(Addresses.CLUSTER_NODES, env -> null, JsonObject::getMap))
            .dataFetcher("leader", call(Addresses.CLUSTER_LEADER, env -> null, JsonObject::getMap))
            .dataFetcher("tasks", call(Addresses.TASKS_LIST, env -> null, reply -> reply.getJsonArray("tasks").getList()))
            .dataFetcher("task", call(Addresses.TASKS_GET, env -> new JsonObject().put("id", env.<String>getArgument("id")), JsonObject::getMap))
            .dataFetcher("changes", call(Addresses.CHAOS_CHANGES, env -> env.getArgument("limit") == null ? null
                : new JsonObject().put("limit", env.<Integer>getArgument("limit")), reply -> reply.getJsonArray("changes").getList())))
        .type("Mutation", t -> t
            .dataFetcher("enable", change(Addresses.CHAOS_ENABLE, env -> null))
            .dataFetcher("disable", change(Addresses.CHAOS_DISABLE, env -> null))
            .dataFetcher("reset", change(Addresses.CHAOS_RESET, env -> null))
            .dataFetcher("setConfig", change(Addresses.CHAOS_SET, env -> object(env.getArgument("config"), "config")))
            .dataFetcher("setSection", change(Addresses.CHAOS_SET, env -> new JsonObject()
                .put("section", env.<String>getArgument("section"))
                .put("config", object(env.getArgument("config"), "config"))))
            .dataFetcher("clearSection", change(Addresses.CHAOS_SET, env -> new JsonObject()
                .put("section", env.<String>getArgument("section")).putNull("config")))
            .dataFetcher("putRule", change(Addresses.RULES_PUT, env -> object(env.getArgument("rule"), "rule")))
            .dataFetcher("replaceRule", change(Addresses.RULES_REPLACE, env -> new JsonObject()
                .put("name", env.<String>getArgument("name")).put("rule", object(env.getArgument("rule"), "rule"))))
            .dataFetcher("removeRule", change(Addresses.RULES_REMOVE, env -> new JsonObject().put("name", env.<String>getArgument("name"))))
            .dataFetcher("reloadConfig", call(Addresses.CONFIG_RELOAD, env -> null, JsonObject::getMap))
            .dataFetcher("saveScenario", call(Addresses.SCENARIO_SAVE, env -> object(env.getArgument("scenario"), "scenario"), JsonObject::getMap))
            .dataFetcher("deleteScenario", call(Addresses.SCENARIO_DELETE, env -> new JsonObject().put("name", env.<String>getArgument("name")),
                JsonObject::getMap))
            .dataFetcher("startScenario", change(Addresses.SCENARIO_START, env -> new JsonObject().put("name", env.<String>getArgument("name"))))
            .dataFetcher("stopScenario", change(Addresses.SCENARIO_STOP, env -> null))
            .dataFetcher("submitTask", call(Addresses.TASKS_SUBMIT, env -> object(env.getArgument("task"), "task"), JsonObject::getMap))
            .dataFetcher("cancelTask", call(Addresses.TASKS_CANCEL, env -> new JsonObject().put("id", env.<String>getArgument("id")),
                JsonObject::getMap))
            .dataFetcher("deleteTask", call(Addresses.TASKS_DELETE, env -> new JsonObject().put("id", env.<String>getArgument("id")),
                JsonObject::getMap)))
        .type("Query", history::queries)
        .type("Mutation", history::mutations)
        .type("Subscription", t -> t
            .dataFetcher("chaosChanged", env -> new EventBusPublisher<>(bus, Addresses.CHAOS_CHANGED, GraphQlApi::status))
            .dataFetcher("traffic", env -> new EventBusPublisher<>(bus, Addresses.TRAFFIC_SUMMARY, JsonObject::getMap))
            .dataFetcher("orchestrationProgress", env -> new EventBusPublisher<>(bus, OrchestratorVerticle.PROGRESS, JsonObject::getMap))
            .dataFetcher("runRecorded", env -> new EventBusPublisher<>(bus, io.faultline.history.HistoryAddresses.RUN_RECORDED,
                JsonObject::getMap)))
        .build();
  }

  private DataFetcher<CompletionStage<Object>> change(String address, Function<DataFetchingEnvironment, JsonObject> body) {
    return call(address, body, GraphQlApi::status);
  }

  /** A data fetcher that sends the body built from the arguments to {@code address} and views the reply. */
  DataFetcher<CompletionStage<Object>> call(String address, Function<DataFetchingEnvironment, JsonObject> body,
      Function<JsonObject, Object> view) {
    return env -> {
      JsonObject request;
      try {
        request = body.apply(env);
      } catch (ChaosConfigException e) {
        return Future.<Object>succeededFuture(error(env, e.getMessage(), "BAD_REQUEST", e.field())).toCompletionStage();
      }
      return bus.<JsonObject>request(address, request, SOURCE)
          .map(reply -> (Object) view.apply(reply.body()))
          .recover(failure -> Future.succeededFuture(failed(env, failure, address)))
          .toCompletionStage();
    };
  }

  private CompletionStage<Object> section(DataFetchingEnvironment env) throws Exception {
    String name = env.getArgument("name");
    if (!ChaosSections.NAMES.contains(name)) {
      return Future.<Object>succeededFuture(error(env, "unknown section " + name + ", expected one of " + ChaosSections.NAMES,
          "NOT_FOUND", "name")).toCompletionStage();
    }
    return call(Addresses.CHAOS_GET, e -> null, config -> {
      Object value = config.getValue(name);
      return value instanceof JsonObject json ? json.getMap() : value;
    }).get(env);
  }

  private static Map<String, Object> status(JsonObject status) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", status.getBoolean("enabled"));
    out.put("version", status.getLong("version"));
    out.put("seed", String.valueOf(status.getLong("seed")));
    out.put("scenario", status.getString("scenario"));
    out.put("activeFaults", status.getJsonArray("active_faults").getList());
    out.put("rules", status.getInteger("rules"));
    out.put("config", status.getJsonObject("config").getMap());
    out.put("warnings", status.getJsonArray("warnings", new JsonArray()).getList());
    JsonObject change = status.getJsonObject("change");
    out.put("change", change == null ? null : change.getMap());
    return out;
  }

  private static List<Map<String, Object>> scenarios(JsonObject reply) {
    JsonArray list = reply.getJsonArray("scenarios");
    return list.stream().map(o -> {
      JsonObject s = (JsonObject) o;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", s.getString("name"));
      out.put("description", s.getString("description"));
      out.put("builtIn", s.getBoolean("built_in"));
      out.put("defaultDurationSeconds", s.getDouble("default_duration_seconds"));
      out.put("config", s.getJsonObject("config").getMap());
      return out;
    }).toList();
  }

  @SuppressWarnings("unchecked")
  static JsonObject object(Object value, String argument) {
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    throw new ChaosConfigException(argument, "must be a JSON object, got " + value);
  }

  /**
   * A control failure as a GraphQL error: the status REST answers for it ({@link ApiError#answer}) becomes
   * {@code extensions.code}, with the field at fault. Nothing answering (history switched off) and no answer in time
   * are 503 and 504 there, as over REST: they were INTERNAL_SERVER_ERROR, which a client does not retry.
   */
  private static DataFetcherResult<Object> failed(DataFetchingEnvironment env, Throwable failure, String address) {
    ApiError.Answer answer = ApiError.answer(failure, address, historys(address));
    if (answer.status() == 500 && !(failure instanceof io.vertx.core.eventbus.ReplyException reply && reply.failureCode() == 500)) {
      // no control failure of ours (those keep their text and field: "nothing was saved: ...", state_dir)
      return error(env, "the control plane failed: " + failure.getMessage(), "INTERNAL_SERVER_ERROR", null);
    }
    String code = switch (answer.status()) {
      case 400 -> "BAD_REQUEST";
      case 404 -> "NOT_FOUND";
      case 409 -> "CONFLICT";
      case 503 -> "SERVICE_UNAVAILABLE"; // the history database out of reach, or history off: as over REST
      case 504 -> "GATEWAY_TIMEOUT";
      default -> "INTERNAL_SERVER_ERROR";
    };
    return error(env, answer.error(), code, answer.field());
  }

  /** Whether {@code address} is one of the history verticle's (history, the flight recorder, analytics). */
  private static boolean historys(String address) {
    return address.startsWith("faultline.history.") || address.startsWith("faultline.recorder.")
        || address.startsWith("faultline.analytics.");
  }

  private static DataFetcherResult<Object> error(DataFetchingEnvironment env, String message, String code, String field) {
    Map<String, Object> extensions = new LinkedHashMap<>();
    extensions.put("code", code);
    if (field != null) {
      extensions.put("field", field);
    }
    return DataFetcherResult.newResult()
        .error(GraphqlErrorBuilder.newError(env).message(message).extensions(extensions).build())
        .build();
  }

  private static String schema() {
    return resource("/io/faultline/admin/control.graphqls") + "\n" + resource("/io/faultline/admin/history.graphqls");
  }

  private static String resource(String name) {
    try (InputStream in = GraphQlApi.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
