package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Verdict;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * GraphQL over WebSocket ({@code graphql-transport-ws}) between a client and the upstream, with chaos
 * per {@code subscribe}: each one's document is parsed and decided like an HTTP operation. An injected
 * error answers the client with an {@code error} message for that id (the upstream never sees the
 * subscription); latency holds the subscribe; field faults null the targeted fields in every
 * {@code next} of that subscription; timeouts and connection errors close the connection. Everything
 * else, and every document that does not parse, passes through in order.
 */
final class SubscriptionRelay {

  /** What the relay reports to its listener. */
  interface Events {

    void faultInjected(String type);

    /** The connection ended; {@code abrupt} when either side went away without a close frame. */
    void ended(boolean abrupt);
  }

  private static final short GOING_AWAY = 1001;

  private final Vertx vertx;
  private final ServerWebSocket client;
  private final Runnable dropClient;
  private final WebSocket upstream;
  private final Function<ParsedOperation, Verdict> decide;
  private final Supplier<Future<GraphQlSchema>> schema;
  private final Events events;
  private final Map<String, FieldTarget> targets = new HashMap<>();
  private Future<Void> outbound = Future.succeededFuture();
  private boolean clientClosed;
  private boolean upstreamClosed;
  private boolean abrupt;

  private record FieldTarget(ParsedOperation operation, List<Decision.FieldError> errors, GraphQlSchema schema) {
  }

  SubscriptionRelay(Vertx vertx, ServerWebSocket client, Runnable dropClient, WebSocket upstream,
      Function<ParsedOperation, Verdict> decide, Supplier<Future<GraphQlSchema>> schema, Events events) {
    this.vertx = vertx;
    this.client = client;
    this.dropClient = dropClient;
    this.upstream = upstream;
    this.decide = decide;
    this.schema = schema;
    this.events = events;
  }

  /** Starts relaying; the upstream socket should be paused since it opened, so nothing it sent is lost. */
  void start() {
    client.exceptionHandler(e -> { });
    client.textMessageHandler(text -> outbound = outbound.compose(v -> fromClient(text)));
    client.binaryMessageHandler(upstream::writeBinaryMessage);
    client.closeHandler(v -> {
      clientClosed = true;
      Short code = client.closeStatusCode();
      boolean lost = code == null || code == 1006;
      abrupt |= lost;
      outbound.onComplete(ar -> close(upstream, lost || code == 1005 ? GOING_AWAY : code, lost ? "client connection lost" : client.closeReason()));
      finishIfClosed();
    });
    Handler<Void> upstreamClose = v -> {
      upstreamClosed = true;
      Short code = upstream.closeStatusCode();
      if (code == null || code == 1006) {
        abrupt = true;
        dropClient.run();
      } else {
        close(client, code == 1005 ? GOING_AWAY : code, upstream.closeReason());
      }
      finishIfClosed();
    };
    if (upstream.isClosed()) {
      // It closed before relaying began (between its handshake and the client's): Vert.x refuses handlers
      // on a closed socket, and the close would be lost, leaving the client open forever. Pass it on now.
      upstreamClose.handle(null);
      return;
    }
    upstream.exceptionHandler(e -> { });
    upstream.textMessageHandler(this::fromUpstream);
    upstream.binaryMessageHandler(client::writeBinaryMessage);
    upstream.closeHandler(upstreamClose);
    upstream.resume();
  }

  private Future<Void> fromClient(String text) {
    JsonObject message = json(text);
    if (message == null || !"subscribe".equals(message.getString("type"))
        || !(message.getValue("payload") instanceof JsonObject payload) || !(payload.getValue("query") instanceof String query)) {
      send(upstream, text);
      return Future.succeededFuture();
    }
    ParsedOperation operation = ParsedOperation.parse(query, payload.getValue("operationName") instanceof String n ? n : null);
    Verdict verdict = operation == null ? Verdict.PASS : decide.apply(operation);
    if (verdict.isPass()) {
      send(upstream, text);
      return Future.succeededFuture();
    }
    String id = message.getString("id");
    Promise<Void> done = Promise.promise();
    long delay = Math.max(0, verdict.delayMs());
    Runnable apply = () -> act(verdict, id, operation, text).onComplete(v -> {
      verdict.complete(false);
      done.complete();
    });
    if (delay > 0) {
      events.faultInjected("latency");
      vertx.setTimer(delay, t -> apply.run());
    } else {
      apply.run();
    }
    return done.future();
  }

  private Future<Void> act(Verdict verdict, String id, ParsedOperation operation, String text) {
    Decision terminal = verdict.terminal();
    if (terminal instanceof Decision.GraphQlError e) {
      reject(id, e.fault(), e.message(), e.code());
    } else if (terminal instanceof Decision.Fail f) {
      String code = f.fault().equals("rate_limit") ? "RATE_LIMITED" : GraphQlProxyVerticle.GraphQlResponses.code(f.status());
      reject(id, f.fault(), f.fault().equals("rate_limit") ? "rate limit exceeded" : "injected fault: HTTP " + f.status(), code);
    } else if (terminal instanceof Decision.Status s) {
      reject(id, s.fault(), s.message(), s.code());
    } else if (terminal instanceof Decision.Timeout t) {
      events.faultInjected("timeout");
      vertx.setTimer(Math.max(1, t.ms()), x -> dropClient.run());
    } else if (terminal instanceof Decision.Reset || terminal instanceof Decision.Cut) {
      events.faultInjected(terminal instanceof Decision.Reset r ? r.fault() : ((Decision.Cut) terminal).fault());
      dropClient.run();
    } else if (!verdict.fieldErrors().isEmpty() && id != null) {
      // the schema first (learnt once), so that every next of this subscription is nulled the same way
      return schema.get().map(known -> {
        targets.put(id, new FieldTarget(operation, verdict.fieldErrors(), known));
        send(upstream, text);
        return null;
      });
    } else {
      send(upstream, text);
    }
    return Future.succeededFuture();
  }

  private void reject(String id, String fault, String message, String code) {
    events.faultInjected(fault);
    send(client, new JsonObject().put("id", id).put("type", "error").put("payload", new JsonArray().add(new JsonObject()
        .put("message", message)
        .put("extensions", new JsonObject().put("code", code).put("faultline", fault)))).encode());
  }

  private void fromUpstream(String text) {
    if (targets.isEmpty()) {
      send(client, text);
      return;
    }
    JsonObject message = json(text);
    FieldTarget target = message == null ? null : targets.get(message.getString("id"));
    if (target == null) {
      send(client, text);
      return;
    }
    String type = message.getString("type");
    if ("next".equals(type) && message.getValue("payload") instanceof JsonObject payload) {
      int nulled = FieldNulling.apply(payload, target.errors(), target.operation(), target.schema());
      for (int i = 0; i < nulled; i++) {
        events.faultInjected("graphql_field");
      }
      send(client, message.encode());
      return;
    }
    if ("complete".equals(type) || "error".equals(type)) {
      targets.remove(message.getString("id"));
    }
    send(client, text);
  }

  private static void send(WebSocketBase socket, String text) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(text);
    }
  }

  private static void close(WebSocketBase socket, short code, String reason) {
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
  }

  private static JsonObject json(String text) {
    try {
      return text.startsWith("{") ? new JsonObject(text) : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private void finishIfClosed() {
    if (clientClosed && upstreamClosed) {
      events.ended(abrupt);
    }
  }
}
