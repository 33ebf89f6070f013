package io.faultline.protocol.graphql;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** GraphQL-shaped answers: a JSON body with an {@code errors} array, as GraphQL clients expect. */
final class GraphQlResponses {

  private GraphQlResponses() {
  }

  static JsonObject error(String message, String code) {
    return new JsonObject().put("errors", new JsonArray().add(new JsonObject()
        .put("message", message)
        .put("extensions", new JsonObject().put("code", code))));
  }

  /** {@link #error} whose extensions also carry {@code key}: {@code value}. */
  static JsonObject error(String message, String code, String key, String value) {
    JsonObject body = error(message, code);
    body.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").put(key, value);
    return body;
  }

  static void send(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }

  /** A batch's answers, one for each of its operations. */
  static void send(HttpServerResponse response, int status, io.vertx.core.json.JsonArray answers) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(answers.encode());
  }

  /** The conventional {@code extensions.code} for an HTTP status. */
  static String code(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 429 -> "RATE_LIMITED";
      case 502 -> "BAD_GATEWAY";
      case 503 -> "SERVICE_UNAVAILABLE";
      case 504 -> "GATEWAY_TIMEOUT";
      default -> status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST";
    };
  }
}
