package io.faultline.admin.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.TypeRuntimeWiring;
import io.faultline.history.HistoryAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The history, recorder and analytics fields of the GraphQL control API ({@code history.graphqls}), over
 * the {@link HistoryAddresses} like the REST API: arguments become the request body (camelCase to
 * snake_case), answers come back as JSON.
 */
final class HistoryGraphQl {

  private final GraphQlApi api;

  HistoryGraphQl(GraphQlApi api) {
    this.api = api;
  }

  TypeRuntimeWiring.Builder queries(TypeRuntimeWiring.Builder t) {
    return t
        .dataFetcher("historyRuns", api.call(HistoryAddresses.RUNS, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("historyRun", api.call(HistoryAddresses.RUN, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("historyTrends", api.call(HistoryAddresses.TRENDS, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("historyCompare", api.call(HistoryAddresses.COMPARE, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("historySummary", api.call(HistoryAddresses.SUMMARY, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("historyExport", api.call(HistoryAddresses.EXPORT, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("experiments", api.call(HistoryAddresses.EXPERIMENTS, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("experiment", api.call(HistoryAddresses.EXPERIMENT, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("recorderSearch", api.call(HistoryAddresses.RECORDER_SEARCH,
            env -> env.getArgument("filter") == null ? new JsonObject() : GraphQlApi.object(env.getArgument("filter"), "filter"),
            JsonObject::getMap))
        .dataFetcher("anomalies", api.call(HistoryAddresses.ANOMALIES, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("analyticsTrend", api.call(HistoryAddresses.ANALYTICS_TRENDS, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("health", api.call(HistoryAddresses.HEALTH, HistoryGraphQl::arguments, JsonObject::getMap))
        .dataFetcher("insights", api.call(HistoryAddresses.INSIGHTS, HistoryGraphQl::arguments, JsonObject::getMap));
  }

  TypeRuntimeWiring.Builder mutations(TypeRuntimeWiring.Builder t) {
    return t
        .dataFetcher("abTest", api.call(HistoryAddresses.AB, env -> GraphQlApi.object(env.getArgument("request"), "request"),
            JsonObject::getMap))
        .dataFetcher("breakingPoint", api.call(HistoryAddresses.BREAKING_POINT,
            env -> GraphQlApi.object(env.getArgument("request"), "request"), JsonObject::getMap))
        .dataFetcher("stopExperiment", api.call(HistoryAddresses.EXPERIMENT_STOP, HistoryGraphQl::arguments, JsonObject::getMap));
  }

  /** The field's arguments as a request body: {@code minScore} becomes {@code min_score}, lists become arrays. */
  private static JsonObject arguments(DataFetchingEnvironment env) {
    JsonObject body = new JsonObject();
    for (Map.Entry<String, Object> e : env.getArguments().entrySet()) {
      Object value = e.getValue() instanceof List<?> list ? new JsonArray(List.copyOf(list)) : e.getValue();
      body.put(e.getKey().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT), value);
    }
    return body;
  }
}
