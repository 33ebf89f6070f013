package io.faultline.admin.graphql;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What {@code /graphql} refuses before graphql-java sees a request, as GraphQL over HTTP asks:
 * <ul>
 *   <li>a mutation sent with GET (405): a GET carries no {@code Origin} when a page embeds it as an image
 *       or a link, so the admin port's cross-origin guard cannot stop it, and any page could switch chaos on;</li>
 *   <li>a POST whose body is not {@code {"query": string, "variables"?: object, "operationName"?: string,
 *       "extensions"?: object}} (400 naming the field, an unknown one too), which Vert.x's handler would answer
 *       in plain text and log as an error, or run without what a misspelt field meant to say;</li>
 *   <li>a POST with a GraphQL field in its query string (400 naming it): Vert.x's handler ran the URL's {@code query}
 *       instead of the body checked here;</li>
 *   <li>a GET without a {@code query}, with {@code variables} or {@code extensions} that are no JSON object, or with a
 *       malformed escape in its query string (400 naming it): Vert.x answered in plain text, or failed with a 500;</li>
 *   <li>a subscription over HTTP (400): it runs over a WebSocket, and graphql-java's answer to one sent with POST
 *       (a stream) failed to encode, a 500.</li>
 * </ul>
 */
final class GraphQlRequests {

  /** The fields of a GraphQL-over-HTTP request body. */
  private static final java.util.List<String> FIELDS = java.util.List.of("query", "variables", "operationName", "extensions");

  private GraphQlRequests() {
  }

  static void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (GraphQlApi.isSubscriptionSocket(request)) {
      ctx.next();
      return;
    }
    io.vertx.core.MultiMap params;
    try {
      params = request.params();
    } catch (IllegalArgumentException malformed) { // a bad %-escape: Vert.x decodes the query string when first asked
      refuse(ctx, 400, "the query string is malformed: " + malformed.getMessage(), "query string");
      return;
    }
    if (request.method() == HttpMethod.POST) {
      for (String field : FIELDS) {
        if (params.contains(field)) {
          refuse(ctx, 400, "a POST's operation goes in its body: leave " + field + " out of the query string", field);
          return;
        }
      }
    }
    if (request.method() == HttpMethod.GET && getRefused(ctx, params)) {
      return;
    }
    if (request.method() == HttpMethod.GET && mutates(params.get("query"))) {
      ctx.response().putHeader("Allow", "POST");
      refuse(ctx, 405, "only queries may be sent with GET, and this document holds a mutation or subscription: send it with POST",
          "query");
      return;
    }
    if (request.method() == HttpMethod.POST && postBodyRefused(ctx)) {
      return;
    }
    ctx.next();
  }

  /** Refuses (and answers) a GET that is not a GraphQL request, or that asks for a subscription; true when it did. */
  private static boolean getRefused(RoutingContext ctx, io.vertx.core.MultiMap params) {
    String query = params.get("query");
    if (query == null || query.isBlank()) {
      refuse(ctx, 400, "is required: the GraphQL document, in the query string (GET) or the body (POST)", "query");
      return true;
    }
    for (String field : java.util.List.of("variables", "extensions")) {
      String value = params.get(field);
      if (value != null && !isJsonObject(value)) {
        refuse(ctx, 400, "must be a JSON object, got " + (value.length() > 80 ? value.substring(0, 80) + "..." : value), field);
        return true;
      }
    }
    return subscriptionRefused(ctx, query);
  }

  private static boolean isJsonObject(String text) {
    try {
      return io.faultline.chaos.config.ChaosJson.readPlain(text) instanceof java.util.Map<?, ?>;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return false;
    }
  }

  /** Refuses (and answers) a document holding a subscription, sent over HTTP; true when it did. */
  private static boolean subscriptionRefused(RoutingContext ctx, String query) {
    if (!holds(query, OperationDefinition.Operation.SUBSCRIPTION)) {
      return false;
    }
    refuse(ctx, 400, "a subscription runs over a WebSocket: open ws://HOST:PORT/graphql with the graphql-transport-ws"
        + " protocol and send it there", "query");
    return true;
  }

  /** Refuses (and answers) a POST body that is not a GraphQL request; true when it did. */
  private static boolean postBodyRefused(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (mediaType.equals("application/graphql")) {
      return subscriptionRefused(ctx, ctx.body().asString());
    }
    if (!mediaType.isEmpty() && !mediaType.equals("application/json")) { // none is taken as JSON, as Vert.x's handler does
      String sent = ctx.get(io.faultline.admin.AdminVerticle.SENT_CONTENT_TYPE); // what curl -d said, not what it was read as
      refuse(ctx, 415, "Content-Type must be application/json (or application/graphql), got " + (sent != null ? sent : type),
          "Content-Type");
      return true;
    }
    Object body;
    try {
      // read as every other body is: its line and column when malformed, a key given twice refused
      Object read = ctx.body().isEmpty() ? null : io.faultline.chaos.config.ChaosJson.readPlain(ctx.body().asString());
      body = read instanceof java.util.Map<?, ?> map ? new JsonObject(io.faultline.chaos.config.ChaosJson.plainMap(map)) : read;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      refuse(ctx, 400, io.faultline.chaos.config.ChaosJson.malformed(e), "body");
      return true;
    }
    if (!(body instanceof JsonObject json)) {
      refuse(ctx, 400, "the body must be a JSON object {\"query\", \"variables\", \"operationName\"}", "body");
      return true;
    }
    for (String key : json.fieldNames()) {
      if (!FIELDS.contains(key)) {
        // a misspelt "variabels" or "operationname" was dropped, and the query ran without it
        refuse(ctx, 400, "unknown field; expected one of " + FIELDS, key);
        return true;
      }
    }
    String problem = !(json.getValue("query") instanceof String) ? "query"
        : json.getValue("variables") != null && !(json.getValue("variables") instanceof JsonObject) ? "variables"
        : json.getValue("operationName") != null && !(json.getValue("operationName") instanceof String) ? "operationName"
        : json.getValue("extensions") != null && !(json.getValue("extensions") instanceof JsonObject) ? "extensions"
        : null;
    if (problem != null) {
      refuse(ctx, 400, switch (problem) {
        case "query" -> "is required and must be a string";
        case "variables", "extensions" -> "must be an object";
        default -> "must be a string";
      }, problem);
      return true;
    }
    return subscriptionRefused(ctx, json.getString("query"));
  }

  /**
   * Whether {@code query} holds any operation but a query; false for what does not parse. Whichever operation
   * {@code operationName} picks: graphql-java runs the first operation for an empty name, which a check of the
   * named one let through, so a page elsewhere could switch chaos with an image's GET on a node without a token.
   */
  static boolean mutates(String query) {
    return holds(query, OperationDefinition.Operation.MUTATION) || holds(query, OperationDefinition.Operation.SUBSCRIPTION);
  }

  /** Whether {@code query} holds an operation of {@code kind}; false for what does not parse. */
  private static boolean holds(String query, OperationDefinition.Operation kind) {
    if (query == null || query.isBlank()) {
      return false;
    }
    Document document;
    try {
      document = Parser.parse(query);
    } catch (InvalidSyntaxException e) {
      return false; // graphql-java answers it with its syntax error
    }
    return document.getDefinitionsOfType(OperationDefinition.class).stream().anyMatch(op -> op.getOperation() == kind);
  }

  /**
   * Refuses a request before it is a GraphQL operation: REST's {@code {"error", "field"}} (what scripts and the console
   * read) with GraphQL's {@code errors} beside it, as GraphQL over HTTP answers a request error, so Apollo, urql and
   * graphql-request show the message and the field (with REST's alone they said "400 Bad Request").
   */
  private static void refuse(io.vertx.ext.web.RoutingContext ctx, int status, String error, String field) {
    if (ctx.response().ended()) {
      return;
    }
    String code = switch (status) {
      case 405 -> "METHOD_NOT_ALLOWED";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      default -> "BAD_REQUEST";
    };
    io.vertx.core.json.JsonObject extensions = new io.vertx.core.json.JsonObject().put("code", code);
    if (field != null) {
      extensions.put("field", field);
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(io.faultline.chaos.control.ControlError.body(error, field).put("errors", new io.vertx.core.json.JsonArray()
            .add(new io.vertx.core.json.JsonObject().put("message", field == null ? error : field + ": " + error).put("extensions", extensions)))
            .encode());
  }
}
