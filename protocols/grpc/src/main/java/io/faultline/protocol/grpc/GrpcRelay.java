package io.faultline.protocol.grpc;

import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.shaping.Pacer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.GrpcWriteStream;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Relays one gRPC call to its upstream as raw frames (no decoding, no .proto), through the chaos
 * lifecycle ({@link ExchangeRunner}, with the {@link GrpcTranslator}).
 *
 * <pre>
 *  client call ─► route by /pkg.Service/Method ─► runner.start: untouched? ─yes─► forward
 *      │ no: exchange.proceed(): admit ─► delay ─► terminal in gRPC terms (GrpcTranslator) or forward
 *      ▼
 *  upstream call: metadata, grpc-timeout, frames (back-pressured, paced if throttled) ──►
 *  ◄── response headers, frames ({@link ResponseRelay}: paced, delayed, cut or aborted), status, message, trailers
 * </pre>
 *
 * Every call is counted when its stream ends: the gRPC status it got, or dropped when it closed first. Each upstream
 * call is opened on a context of its own, so that an answer Vert.x's client throws on is answered for the call it
 * belongs to ({@link DecodingFailures}).
 */
final class GrpcRelay {


  private static final Set<String> NOT_RELAYED_REQUEST = Set.of("content-type", "te", "grpc-timeout",
      "grpc-accept-encoding", "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade");

  private final Vertx vertx;
  private final Function<Upstream, HttpClient> clients;
  private final RouteTable routes;
  private final ExchangeRunner<GrpcCall> runner;
  private final DecodingFailures failures;

  /** {@code clients} gives the HTTP/2 client for an upstream: plaintext, or TLS for grpcs:// and https:// ones. */
  GrpcRelay(Vertx vertx, Function<Upstream, HttpClient> clients, RouteTable routes, ExchangeRunner<GrpcCall> runner,
      DecodingFailures failures) {
    this.vertx = vertx;
    this.clients = clients;
    this.routes = routes;
    this.runner = runner;
    this.failures = failures;
  }

  /** A call the verticle routed and chaos touched ({@code exchange}), now dispatched by the gRPC server. */
  void handle(GrpcServerRequest<Buffer, Buffer> request, GrpcCall call, Exchange<GrpcCall> exchange) {
    request.pause();
    call.dispatched(request);
    track(call, exchange, ExchangeRunner.label(call.route().name()), call.startedNanos());
    exchange.proceed();
  }

  /** A call the verticle did not decide (no route for it, or not a plain gRPC call): routed and decided here. */
  void handle(GrpcServerRequest<Buffer, Buffer> request, HttpServerRequest http) {
    long started = System.nanoTime();
    request.pause();
    String path = "/" + request.fullMethodName();
    RouteTable.Route route = routes.select(http);
    if (route == null) {
      GrpcCall unrouted = new GrpcCall(request, http, null, started);
      track(unrouted, null, io.faultline.chaos.config.RouteConfig.UNROUTED_NAME, started);
      end(unrouted, GrpcStatus.UNIMPLEMENTED, "no route for " + path, null);
      return;
    }
    GrpcCall call = new GrpcCall(request, http, route, started);
    Exchange<GrpcCall> exchange = runner.start(call, route.name(), started);
    track(call, exchange, ExchangeRunner.label(route.name()), started);
    if (exchange == null) {
      forward(call, null);
    } else {
      exchange.proceed();
    }
  }

  /** Sends the call upstream; {@code exchange} (null when chaos left the call untouched) carries the modifiers. */
  void forward(GrpcCall call, Exchange<GrpcCall> exchange) {
    GrpcServerRequest<Buffer, Buffer> request = call.request();
    Upstream target = call.route().upstream();
    // a call with a deadline of its own is bounded by it; one without, by the route's timeout_ms, from now: an
    // upstream that takes no stream (it never sends its settings, or its streams are all busy) held it for ever
    long timeoutMs = call.route().timeoutMs();
    List<GrpcClientRequest<Buffer, Buffer>> sent = new ArrayList<>(1);
    long headTimer = request.timeout() > 0 ? -1 : vertx.setTimer(timeoutMs, id -> {
      if (!call.finished()) { // else the client left, and its leaving cancelled the upstream call
        runner.translator().upstreamFailed(call, call.upstream(),
            new TimeoutException("no answer within the route's timeout_ms, " + timeoutMs + " ms"));
        sent.forEach(GrpcClientRequest::cancel);
      }
    });
    SocketAddress address = SocketAddress.inetSocketAddress(target.port(), target.host());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setServer(address);
    failures.onOwnContext(own -> clients.apply(target).request(options).onComplete(opened -> {
      if (opened.failed()) {
        vertx.cancelTimer(headTimer);
        runner.translator().upstreamFailed(call, call.upstream(), UpstreamFailures.shown(opened.cause()));
        return;
      }
      HttpClientRequest stream = UpstreamClients.named(opened.result(), target);
      GrpcClientRequest<Buffer, Buffer> outgoing = UpstreamAnswer.grpcCall(stream);
      if (call.finished()) { // its timeout_ms passed while it waited for the stream, or its client left
        vertx.cancelTimer(headTimer);
        outgoing.cancel();
        return;
      }
      sent.add(outgoing);
      outgoing.fullMethodName(request.fullMethodName());
      request.headers().forEach(h -> {
        if (!NOT_RELAYED_REQUEST.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          outgoing.headers().add(h.getKey(), h.getValue());
        }
      });
      if (exchange != null) {
        exchange.clearTraceContext(outgoing.headers());
      }
      if (request.timeout() > 0) {
        // the time the call has left, not the client's whole deadline: an injected delay has used some of it
        long spentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.startedNanos());
        outgoing.timeout(Math.max(1, request.timeout() - spentMs), TimeUnit.MILLISECONDS);
      } else if (request.headers().contains("grpc-timeout")) {
        // one the gateway cannot read ("abc") bounds nothing here, as on the pass-through path, and goes as the
        // client sent it, as there: the upstream answers it as it would the client (grpc-go: INTERNAL)
        outgoing.headers().set("grpc-timeout", request.headers().get("grpc-timeout"));
      }
      outgoing.format(request.format());
      long bps = exchange == null ? 0 : exchange.verdict().throttleBps();
      if (bps > 0) {
        paced(request, outgoing, exchange.pacer(bps), exchange::chaosOn, call::finished);
      } else {
        request.messageHandler(message -> relay(message, outgoing, request));
        request.endHandler(v -> endRequest(outgoing));
      }
      // the upstream's stream is reset too: once the upstream has answered with a status other than OK, Vert.x's client
      // takes the call as over and its cancel() sends nothing, so a client that reset its stream after an early answer
      // left the upstream's open, one of its concurrent streams held for as long as the connection lived
      request.errorHandler(error -> {
        call.left();
        UpstreamAnswer.cancel(stream, outgoing);
      });
      // the client's connection went (no reset of the stream: its error handler does not run): the upstream
      // call is cancelled too, as on the pass-through path; it ran on for nobody
      call.onClose(() -> {
        call.left();
        UpstreamAnswer.cancel(stream, outgoing);
      });
      if (request.deadline() != null) {
        request.deadline().onSuccess(v -> UpstreamAnswer.cancel(stream, outgoing));
      }
      outgoing.response().onComplete(answered -> {
        vertx.cancelTimer(headTimer);
        if (!UpstreamAnswer.answeredInstead(call, stream, outgoing, answered, runner.translator())) {
          new ResponseRelay(vertx, call, outgoing, answered.result(), stream.response().result(), exchange, own, failures).start();
        }
      });
      request.resume();
    }));
  }

  /**
   * Ends the exchange when the stream does: with the gRPC status it was answered with, or dropped when it
   * closed without one (a failure when the upstream broke off, not when the client cancelled). Untouched calls are counted through the runner alike.
   */
  void track(GrpcCall call, Exchange<GrpcCall> exchange, String routeLabel, long started) {
    HttpServerResponse response = call.http().response();
    // the duration is to the response's start (its headers), not the end of a stream that may last minutes
    long[] answered = {0};
    response.headersEndHandler(v -> {
      answered[0] = System.nanoTime();
      if (exchange != null) {
        exchange.responding(0, answered[0]); // its status is the trailers', set when it ends
      }
    });
    response.endHandler(v -> {
      if (!response.ended()) {
        return; // Vert.x calls this for a stream closed unanswered too (then the close handler counts it dropped)
      }
      int code = statusCode(response);
      // a stream chaos cut is lost, whatever status it closed with (a cut counts as dropped on every protocol)
      String outcome = call.cutByChaosAlready() ? "dropped"
          : ChaosListener.outcome(GrpcCodes.httpStatus(GrpcCodes.NAMES.get(Math.min(code, GrpcCodes.NAMES.size() - 1))));
      if (exchange == null) {
        runner.untouched(routeLabel, started, answered[0] != 0 ? answered[0] : System.nanoTime(), outcome);
      } else {
        exchange.end(code, outcome, GrpcDecisions.failed(GrpcStatus.valueOf(code)));
      }
    });
    response.closeHandler(v -> {
      if (response.ended()) {
        return;
      }
      call.closed();
      if (exchange == null) {
        runner.untouched(routeLabel, started, answered[0] != 0 ? answered[0] : System.nanoTime(), "dropped");
      } else {
        // a failure for a circuit breaker only when the upstream broke off: a client's cancel or deadline is not
        // one (counted so, three cancels opened a breaker and cut the service off for every client)
        exchange.drop(call.brokenByUpstream());
      }
    });
  }

  /** The grpc-status the response carried (in its trailers, or its headers for a trailers-only one); UNKNOWN when none. */
  private static int statusCode(HttpServerResponse response) {
    String code = response.trailers().get("grpc-status");
    if (code == null) {
      code = response.headers().get("grpc-status");
    }
    try {
      int value = code == null ? GrpcStatus.UNKNOWN.code : Integer.parseInt(code);
      return value >= 0 && value < GrpcCodes.NAMES.size() ? value : GrpcStatus.UNKNOWN.code;
    } catch (NumberFormatException e) {
      return GrpcStatus.UNKNOWN.code;
    }
  }

  /** Relays request frames at the throttled rate: the call is paused while a frame waits its turn, and ends after the last. */
  private void paced(GrpcServerRequest<Buffer, Buffer> request, GrpcClientRequest<Buffer, Buffer> outgoing, Pacer pacer,
      java.util.function.BooleanSupplier chaosOn, java.util.function.BooleanSupplier gone) {
    int[] waiting = {0};
    boolean[] ended = {false};
    request.messageHandler(message -> {
      long waitMs = pacer.wholeDelayMs(message.payload().length()); // sent when its last byte would have gone
      if (waitMs <= 0) {
        relay(message, outgoing, request);
        return;
      }
      waiting[0]++;
      request.pause();
      HeldMessage.release(vertx, waitMs, chaosOn, gone, () -> {
        relay(message, outgoing, request);
        waiting[0]--;
        if (ended[0] && waiting[0] == 0) {
          endRequest(outgoing);
        } else if (!outgoing.writeQueueFull()) {
          request.resume();
        }
      });
    });
    request.endHandler(v -> {
      ended[0] = true;
      if (waiting[0] == 0) {
        endRequest(outgoing);
      }
    });
  }

  /**
   * Ends the request side of the upstream call; nothing to do once that call has failed or been cancelled (its
   * answer, or the client's leaving, has ended the call already): Vert.x throws then, which was logged SEVERE.
   */
  private static void endRequest(GrpcClientRequest<Buffer, Buffer> outgoing) {
    try {
      outgoing.end();
    } catch (IllegalStateException over) {
      // the call is over: what its answer said stands
    }
  }

  /** Writes one raw frame, keeping its compression, and pauses {@code source} while {@code target} is full. */
  static void relay(GrpcMessage message, GrpcWriteStream<Buffer> target, ReadStream<?> source) {
    try {
      target.writeMessage(message);
    } catch (IllegalStateException closed) {
      return;
    }
    if (target.writeQueueFull()) {
      source.pause();
      target.drainHandler(v -> source.resume());
    }
  }

  /**
   * Sets {@code grpc-message} as gRPC's spec encodes it (only bytes outside printable ASCII and {@code %}):
   * Vert.x's own encoder also encodes {@code : / ( )}, which clients decoding with JavaScript's
   * {@code decodeURI} (grpc-js) show as {@code %3A}.
   */
  static void statusMessage(GrpcServerResponse<Buffer, Buffer> response, GrpcStatus status, String message) {
    if (message != null && status != GrpcStatus.OK) {
      response.trailers().set("grpc-message", GrpcPassThrough.percentEncoded(message));
    }
  }

  /** Answers the call with {@code status} and {@code message} (trailers-only when nothing was sent yet), naming {@code fault} if injected. */
  static void end(GrpcCall call, GrpcStatus status, String message, String fault) {
    if (call.finished()) { // answered already (the deadline), or its client left
      call.request().resume();
      return;
    }
    GrpcServerResponse<Buffer, Buffer> response = call.request().response();
    try {
      if (fault != null) {
        response.headers().set(GrpcDecisions.FAULT_HEADER, fault);
      }
      response.status(status);
      statusMessage(response, status, message);
      response.end();
    } catch (IllegalStateException alreadyAnswered) {
      // the deadline (or the client) ended the call first
    }
    call.request().resume();
  }
}
