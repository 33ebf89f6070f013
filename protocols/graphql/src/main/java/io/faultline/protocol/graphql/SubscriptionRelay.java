package io.faultline.protocol.graphql;

import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.ClosingHandshake;
import io.faultline.chaos.listener.HeldClose;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * GraphQL over WebSocket ({@code graphql-transport-ws}) between a client and the upstream, with chaos
 * per {@code subscribe}: each one whose document parses is an exchange of the chaos lifecycle
 * ({@link ExchangeRunner}, with the {@link SubscribeTranslator}), decided like an HTTP operation.
 * Everything else, and every document that does not parse, passes through in order. The closing handshake is
 * the two peers' ({@link ClosingHandshake}), as on a WebSocket listener.
 */
final class SubscriptionRelay {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SubscriptionRelay.class.getName());

  private static final short GOING_AWAY = 1001;

  private final Vertx vertx;
  private final ServerWebSocket client;
  private final Runnable dropClient;
  private final WebSocket upstream;
  private final HttpServerRequest upgrade;
  private final String route;
  private final ExchangeRunner<Subscribe> runner;
  private final Supplier<Future<GraphQlSchema>> schema;
  private final java.util.function.BooleanSupplier chaosOn;
  private final long sendTimeoutMs;
  private final Map<String, FieldTarget> targets = new HashMap<>();
  /** The client's messages for a subscription still held by chaos (a delay, a bulkhead's queue), by its id. */
  private final Map<String, Future<Void>> held = new HashMap<>();
  /** Subscriptions a timeout fault holds (the upstream never sees them), by id: what ends one if its client completes it. */
  private final Map<String, Runnable> timingOut = new HashMap<>();
  /** The subscribes chaos is still deciding (a delay, a wait in a bulkhead's queue): dropped at once if the client leaves. */
  private final java.util.Set<Exchange<Subscribe>> deciding = new java.util.HashSet<>();
  /** Chaos closed the client's connection (a timeout's, a reset's or a cut's end): the client did not leave. */
  private boolean droppedByChaos;
  private ClosingHandshake closing;
  private boolean clientGone;
  private boolean upstreamGone;
  /** Each direction's back-pressure; a side that takes nothing for the send timeout is cut. */
  private final HeldBack toClient;
  private final HeldBack toUpstream;

  private record FieldTarget(ParsedOperation operation, List<Decision.FieldError> errors, GraphQlSchema schema) {
  }

  /**
   * {@code upgrade} is the client's upgrade request (rules match its path and headers), {@code route} its
   * route's name; {@code chaosOn} whether chaos is on now (field faults stop when it is switched off).
   */
  SubscriptionRelay(Vertx vertx, ServerWebSocket client, Runnable dropClient, WebSocket upstream, HttpServerRequest upgrade, String route,
      ExchangeRunner<Subscribe> runner, Supplier<Future<GraphQlSchema>> schema, java.util.function.BooleanSupplier chaosOn,
      long sendTimeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.dropClient = dropClient;
    this.upstream = upstream;
    this.upgrade = upgrade;
    this.route = route;
    this.runner = runner;
    this.schema = schema;
    this.chaosOn = chaosOn;
    this.sendTimeoutMs = sendTimeoutMs;
    this.toClient = new HeldBack(vertx, upstream, client, sendTimeoutMs, () -> stalled(true));
    this.toUpstream = new HeldBack(vertx, client, upstream, sendTimeoutMs, () -> stalled(false));
  }

  HttpServerRequest upgrade() {
    return upgrade;
  }

  boolean clientClosed() {
    return client.isClosed();
  }

  void dropClient() {
    droppedByChaos = true;
    dropClient.run();
  }

  /** Starts relaying; the upstream socket should be paused since it opened, so nothing it sent is lost. */
  void start() {
    closing = new ClosingHandshake(vertx,
        // the upstream's messages are passed on as they come, unless the client's write queue holds it back
        HeldClose.install(client), ClosingHandshake.Way.of(toClient::afterSource, (code, reason) -> {
          toClient.ended(); // nothing follows a close (RFC 6455 5.5.1): a drain's, a relayed one, a cut's
          if (code == WebSocketConfig.ABRUPT && upstreamGone && !clientGone) {
            // the upstream vanished: what it sent before reaches the client first (a slow reader lost the last events
            // when its connection was closed at once), within the send timeout, as on a WebSocket listener
            io.faultline.chaos.listener.AbruptClose.closeOnceWritten(upgrade.connection(), sendTimeoutMs);
          } else if (code == WebSocketConfig.ABRUPT) {
            dropClient.run(); // a cut (a client that reads nothing, chaos's): at once
          } else {
            ClosingHandshake.close(client, code, reason);
          }
        }),
        upstream.isClosed() ? null : HeldClose.install(upstream),
        // a close for the upstream (the client's own, relayed) ends what chaos still holds of the client's first
        ClosingHandshake.Way.of(action -> {
          leaveHeld();
          afterClientsMessages(action);
        }, (code, reason) -> {
          toUpstream.ended();
          ClosingHandshake.close(upstream, code, reason);
        }));
    client.exceptionHandler(e -> tooBig(e, true));
    client.textMessageHandler(this::fromClientInOrder);
    client.binaryMessageHandler(data -> toUpstream.write(() -> upstream.writeBinaryMessage(data)));
    // the gateway is draining: subscriptions never end by themselves, so both sides go away once what the client
    // sent is through; a closing handshake under way ends by itself
    client.shutdownHandler(v -> afterClientsMessages(() -> {
      if (!closing.underWay()) {
        closing.send(closing.upstream(), GOING_AWAY, "faultline: shutting down");
        toClient.afterSource(() -> closing.send(closing.client(), GOING_AWAY, "faultline: shutting down"));
      }
    }));
    client.closeHandler(v -> clientLeft());
    // its close goes to the client after the messages it sent before, which its pause may hold
    Handler<Void> upstreamClose = v -> toClient.afterSource(this::upstreamClosed);
    if (upstream.isClosed()) {
      // It closed before relaying began (between its handshake and the client's): Vert.x refuses handlers
      // on a closed socket, and the close would be lost, leaving the client open forever. Pass it on now.
      upstreamClose.handle(null);
      closing.start();
      return;
    }
    upstream.exceptionHandler(e -> tooBig(e, false));
    upstream.textMessageHandler(this::fromUpstream);
    upstream.binaryMessageHandler(data -> toClient.write(() -> client.writeBinaryMessage(data)));
    upstream.closeHandler(upstreamClose);
    upstream.resume();
    closing.start(); // after the resume: a close it held since it opened goes after the messages it hands over first
  }

  /**
   * A message over the listener's 16 MiB from one side (its frames each under it, or a compressed one inflating past it):
   * that side is sent 1009 "Message too big", and the other is told as for a vanished peer (the upstream a going-away
   * close, the client an abrupt end), as on a WebSocket listener. Vert.x reports it here, and the message was dropped
   * without a word, the socket left open (a subscribe never answered, an event missing).
   */
  private void tooBig(Throwable e, boolean fromClient) {
    if (!(e instanceof IllegalStateException) || e.getMessage() == null || !e.getMessage().contains("max message size")
        || closing.underWay()) {
      return; // a connection's own failure (its close follows), or one closing already
    }
    io.vertx.core.http.WebSocketBase sender = fromClient ? client : upstream;
    LOG.warning(() -> "GraphQL " + (fromClient ? "client " : "upstream ") + sender.remoteAddress() + " sent a message refused with"
        + " 1009: " + e.getMessage() + "; its connection is closed");
    if (fromClient) {
      closing.send(closing.client(), 1009, "Message too big");
      afterClientsMessages(() -> closing.send(closing.upstream(), GOING_AWAY, ClosingHandshake.CLIENT_LOST));
    } else {
      closing.send(closing.upstream(), 1009, "Message too big");
      toClient.afterSource(() -> closing.send(closing.client(), WebSocketConfig.ABRUPT, null));
    }
  }

  /** The client's connection closed: the upstream gets its close once what it sent is through, and then goes too. */
  private void clientLeft() {
    clientGone = true;
    leaveHeld();
    toClient.stop(); // its drain never comes: the upstream is read on, what it sends dropped
    ClosingHandshake.Close close = closing.clientGone(client);
    afterClientsMessages(() -> {
      closing.lastWordToUpstream(close, upstream, !upstreamGone, sendTimeoutMs);
      endIfGone();
    });
  }

  /**
   * The client leaves (its connection closed, or it sent its close): what chaos still holds of its subscribes ends now, as
   * for a client that leaves an HTTP operation. A bulkhead's place or permit is given back at once, and neither a
   * timeout's end nor a queue's counts it as the upstream's failure or a refusal; they went on to their end, the
   * client's close waiting behind them.
   */
  private void leaveHeld() {
    if (!droppedByChaos) { // else the other subscribes a timeout holds end as it does, each a failure
      List.copyOf(timingOut.values()).forEach(Runnable::run);
      timingOut.clear();
    }
    for (Exchange<Subscribe> exchange : List.copyOf(deciding)) {
      exchange.drop(false);
      exchange.call().acted().tryComplete();
    }
  }

  /** The upstream's connection closed: the client gets its close (or its own back, or an abrupt end). */
  private void upstreamClosed() {
    upstreamGone = true;
    toUpstream.stop();
    ClosingHandshake.Close close = closing.upstreamGone(upstream);
    // a client sent a close already (cut for an upstream that read nothing, a drain) answers that one
    if (close != null && !(close.code() == WebSocketConfig.ABRUPT && closing.client().sent())) {
      closing.send(closing.client(), close.code(), close.reason());
    }
    endIfGone();
  }

  private void endIfGone() {
    if (clientGone && upstreamGone) {
      closing.end();
    }
  }

  /**
   * Passes a client's message on in its subscription's order: after the subscribe of the same id if chaos
   * holds that, at once otherwise. Held in one queue for the whole socket, a subscribe delayed 3 s held
   * the pings and every other subscription's subscribe behind it.
   */
  private void fromClientInOrder(String text) {
    JsonObject message = json(text);
    String id = message != null && message.getValue("id") instanceof String s ? s : null;
    Future<Void> before = id == null ? null : held.get(id);
    Future<Void> done = before == null ? fromClient(text, message) : before.transform(ar -> fromClient(text, message));
    if (id != null && !done.isComplete()) {
      held.put(id, done);
      done.onComplete(ar -> held.remove(id, done));
    }
  }

  /**
   * Runs {@code action} once every message the client sent before now has been passed on (or dropped with its
   * subscription): those its pause holds, then those chaos holds.
   */
  private void afterClientsMessages(Runnable action) {
    toUpstream.afterSource(() -> sent().onComplete(ar -> action.run()));
  }

  /** Completes once every message the client sent has been passed on (or dropped with its subscription). */
  private Future<?> sent() {
    return held.isEmpty() ? Future.succeededFuture() : Future.join(List.copyOf(held.values()));
  }

  /** A subscribe's document: its {@code query}, or the one its persisted query's hash stands for; null for neither. */
  private static String persistedOrGiven(JsonObject payload) {
    String query = payload.getValue("query") instanceof String q ? q : null;
    String hash = payload.getValue("extensions") instanceof JsonObject extensions
        && extensions.getValue("persistedQuery") instanceof JsonObject persisted
        && persisted.getValue("sha256Hash") instanceof String h ? h : null;
    return PersistedQueries.document(query, hash);
  }

  private Future<Void> fromClient(String text, JsonObject message) {
    if (message != null && "complete".equals(message.getString("type"))) {
      Runnable gaveUp = timingOut.remove(message.getValue("id"));
      if (gaveUp != null) {
        gaveUp.run(); // the client gave up on it; the upstream never saw it, so it gets no complete either
        return Future.succeededFuture();
      }
      targets.remove(message.getString("id")); // the id may be used again, by another subscription
    }
    String query = message != null && "subscribe".equals(message.getString("type"))
        && message.getValue("payload") instanceof JsonObject p ? persistedOrGiven(p) : null;
    if (query == null) {
      send(upstream, text);
      return Future.succeededFuture();
    }
    JsonObject payload = message.getJsonObject("payload");
    ParsedOperation operation;
    try {
      operation = ParsedOperation.parse(query, payload.getValue("operationName") instanceof String n ? n : null);
    } catch (ParsedOperation.TooComplex e) {
      operation = null; // too big to walk: relayed untouched, as a document that does not parse
    }
    if (operation == null) {
      send(upstream, text);
      return Future.succeededFuture();
    }
    Subscribe subscribe = new Subscribe(this, message.getString("id"), operation, text, System.nanoTime(), Promise.promise());
    Exchange<Subscribe> exchange = runner.start(subscribe, route, subscribe.startedNanos());
    if (exchange == null) {
      send(upstream, text);
      runner.untouched(ExchangeRunner.label(route), subscribe.startedNanos(), "2xx");
      return Future.succeededFuture();
    }
    deciding.add(exchange);
    subscribe.acted().future().onComplete(done -> deciding.remove(exchange));
    exchange.proceed();
    return subscribe.acted().future();
  }

  /** Passes {@code subscribe} on; with field errors, learns the schema first so every next of it is nulled the same way. */
  Future<Void> forward(Subscribe subscribe, List<Decision.FieldError> fieldErrors) {
    timingOut.remove(subscribe.id()); // the kill switch released it from a timeout: its complete goes upstream now
    if (fieldErrors.isEmpty() || subscribe.id() == null) {
      if (subscribe.id() != null) {
        targets.remove(subscribe.id());
      }
      send(upstream, subscribe.text());
      return Future.succeededFuture();
    }
    return schema.get().map(known -> {
      targets.put(subscribe.id(), new FieldTarget(subscribe.operation(), fieldErrors, known));
      send(upstream, subscribe.text());
      return null;
    });
  }

  /**
   * Subscription {@code id} is held by a timeout fault until {@link #timedOut}: a {@code complete} the client sends
   * for it meanwhile runs {@code gaveUp} instead of going upstream. No id: nothing for a client to complete.
   */
  void timingOut(String id, Runnable gaveUp) {
    if (id != null) {
      timingOut.put(id, gaveUp);
    }
  }

  /** The timeout holding subscription {@code id} is over. */
  void timedOut(String id) {
    timingOut.remove(id);
  }

  /** Answers subscription {@code id} with an {@code error} message; {@code fault} (the injected type, or null) goes in its extensions. */
  void reject(String id, String fault, String message, String code) {
    JsonObject extensions = new JsonObject().put("code", code);
    if (fault != null) {
      extensions.put("faultline", fault);
    }
    send(client, new JsonObject().put("id", id).put("type", "error").put("payload", new JsonArray().add(new JsonObject()
        .put("message", message)
        .put("extensions", extensions))).encode());
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
    if ("next".equals(type) && message.getValue("payload") instanceof JsonObject payload && chaosOn.getAsBoolean()) {
      // sent as it came when nothing was nulled: encoded again, its numbers lost digits (a Double each)
      send(client, FieldNulling.apply(payload, target.errors(), target.operation(), target.schema()) > 0 ? message.encode() : text);
      return;
    }
    if ("complete".equals(type) || "error".equals(type)) {
      targets.remove(message.getString("id"));
    }
    send(client, text);
  }

  private void send(WebSocketBase socket, String text) {
    (socket == client ? toClient : toUpstream).write(() -> socket.writeTextMessage(text));
  }

  /**
   * One side has taken nothing of what was relayed to it for the send timeout: its connection is closed (a close
   * frame would wait behind what it does not read), and the other side gets a going-away close naming why.
   */
  private void stalled(boolean clientStuck) {
    if (clientStuck ? clientGone : upstreamGone) {
      return;
    }
    // the other side is read on: its answer, or its end, is read (and dropped for the cut side)
    (clientStuck ? toClient : toUpstream).stop();
    closing.cutStalled(clientStuck, "GraphQL subscription", clientStuck ? client.remoteAddress() : upstream.remoteAddress());
  }

  private static JsonObject json(String text) {
    try {
      return text.startsWith("{") ? new JsonObject(text) : null;
    } catch (DecodeException e) {
      return null;
    }
  }
}
