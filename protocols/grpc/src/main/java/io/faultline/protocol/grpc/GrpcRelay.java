package io.faultline.protocol.grpc;

import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.state.ChaosState;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.GrpcWriteStream;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Relays one gRPC call to its upstream as raw frames (no decoding, no .proto), with the chaos verdict
 * applied in gRPC's terms.
 *
 * <pre>
 *  client call ─► route by /pkg.Service/Method ─► verdict (PASS when chaos is off)
 *      │  bulkhead refused ─► RESOURCE_EXHAUSTED          Fail ─► status mapped from HTTP, trailers-only
 *      │  delay (timer)                                   Timeout ─► held until the deadline, DEADLINE_EXCEEDED
 *      │                                                  Reset ─► RST_STREAM (client sees UNAVAILABLE)
 *      ▼
 *  upstream call: metadata, grpc-timeout, frames (back-pressured) ──►
 *  ◄── response headers, frames (paced if throttled; Cut resets the stream), status, message, trailers
 * </pre>
 */
final class GrpcRelay {

  /** HTTP/2 REFUSED_STREAM: gRPC clients report it as UNAVAILABLE. */
  static final long REFUSED_STREAM = 0x7;

  private static final Set<String> NOT_RELAYED_REQUEST = Set.of("content-type", "te", "grpc-timeout",
      "grpc-accept-encoding", "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade");
  private static final Set<String> NOT_RELAYED_RESPONSE = Set.of("content-type", "grpc-encoding",
      "grpc-accept-encoding", "grpc-status", "grpc-message", "content-length", "connection", "transfer-encoding");

  private final Vertx vertx;
  private final Function<Upstream, GrpcClient> clients;
  private final String listener;
  private final ChaosState state;
  private final MethodRoutes routes;
  private final ChaosListener events;

  /** {@code clients} gives the client for an upstream: plaintext, or TLS for grpcs:// and https:// ones. */
  GrpcRelay(Vertx vertx, Function<Upstream, GrpcClient> clients, String listener, ChaosState state, MethodRoutes routes,
      ChaosListener events) {
    this.vertx = vertx;
    this.clients = clients;
    this.events = events;
    this.listener = listener;
    this.state = state;
    this.routes = routes;
  }

  void handle(GrpcServerRequest<Buffer, Buffer> call, HttpServerRequest http) {
    call.pause();
    String path = "/" + call.fullMethodName();
    MethodRoutes.Route route = routes.select(path);
    if (route == null) {
      end(call, Verdict.PASS, GrpcStatus.UNIMPLEMENTED, "no route for " + path, null);
      return;
    }
    ChaosSnapshot snapshot = state.snapshot();
    Verdict verdict = snapshot.enabled() ? snapshot.decide(new GrpcRequestFacts(listener, route.name(), call, http)) : Verdict.PASS;
    track(http, label(route), verdict);
    if (verdict.isPass()) {
      forward(call, http, route, verdict);
      return;
    }
    if (verdict.throttleBps() > 0) {
      injected(route, "bandwidth");
    }
    if (verdict.messageDelayMs() > 0) {
      injected(route, "message_latency");
    }
    verdict.admit(vertx.getOrCreateContext()).onComplete(admitted -> {
      if (admitted.failed()) {
        injected(route, "bulkhead");
        end(call, verdict, GrpcStatus.RESOURCE_EXHAUSTED, GrpcDecisions.message("bulkhead", 503), "bulkhead");
      } else if (http.response().closed()) {
        verdict.complete(true);
      } else if (verdict.delayMs() > 0) {
        injected(route, "latency");
        events.latencyInjected(listener, "grpc", label(route), verdict.delayMs());
        vertx.setTimer(verdict.delayMs(), id -> act(call, http, route, verdict));
      } else {
        act(call, http, route, verdict);
      }
    });
  }

  private void act(GrpcServerRequest<Buffer, Buffer> call, HttpServerRequest http, MethodRoutes.Route route, Verdict verdict) {
    if (http.response().ended() || http.response().closed()) {
      return;
    }
    Decision terminal = verdict.terminal();
    injected(route, faultOf(terminal));
    if (terminal instanceof Decision.Fail fail) {
      end(call, verdict, GrpcDecisions.fromHttp(fail.status()), GrpcDecisions.message(fail.fault(), fail.status()), fail.fault());
    } else if (terminal instanceof Decision.Status status) {
      end(call, verdict, GrpcStatus.valueOf(status.code()), status.message(), status.fault());
    } else if (terminal instanceof Decision.Timeout timeout) {
      long hold = call.timeout() > 0 ? call.timeout() : timeout.ms();
      vertx.setTimer(Math.max(1, hold), id -> end(call, verdict, GrpcStatus.DEADLINE_EXCEEDED,
          "injected timeout: held " + hold + " ms (injected by Faultline)", "timeout"));
    } else if (terminal instanceof Decision.Reset) {
      verdict.complete(true);
      http.response().reset(REFUSED_STREAM);
    } else {
      forward(call, http, route, verdict);
    }
  }

  private void forward(GrpcServerRequest<Buffer, Buffer> call, HttpServerRequest http, MethodRoutes.Route route, Verdict verdict) {
    String upstream = route.upstream().host() + ":" + route.upstream().port();
    clients.apply(route.upstream()).request(SocketAddress.inetSocketAddress(route.upstream().port(), route.upstream().host()))
        .onComplete(opened -> {
      if (opened.failed()) {
        end(call, verdict, GrpcStatus.UNAVAILABLE, "upstream unavailable: " + upstream + ": " + opened.cause().getMessage(), null);
        return;
      }
      GrpcClientRequest<Buffer, Buffer> outgoing = opened.result();
      if (http.response().closed()) {
        outgoing.cancel();
        return;
      }
      outgoing.fullMethodName(call.fullMethodName());
      call.headers().forEach(h -> {
        if (!NOT_RELAYED_REQUEST.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          outgoing.headers().add(h.getKey(), h.getValue());
        }
      });
      if (call.timeout() > 0) {
        outgoing.timeout(call.timeout(), TimeUnit.MILLISECONDS);
      }
      outgoing.format(call.format());
      if (verdict.throttleBps() > 0) {
        paced(call, outgoing, new MessagePacer(verdict.throttleBps()));
      } else {
        call.messageHandler(message -> relay(message, outgoing, call));
        call.endHandler(v -> outgoing.end());
      }
      call.errorHandler(error -> outgoing.cancel());
      if (call.deadline() != null) {
        call.deadline().onSuccess(v -> outgoing.cancel());
      }
      outgoing.response().onComplete(answered -> {
        if (answered.failed()) {
          Throwable cause = answered.cause();
          GrpcStatus status = cause instanceof GrpcErrorException gee ? gee.status() : GrpcStatus.UNAVAILABLE;
          end(call, verdict, status, "upstream " + upstream + " failed: " + cause.getMessage(), null);
        } else {
          relayResponse(call, http, outgoing, answered.result(), verdict);
        }
      });
      call.resume();
    });
  }

  private void relayResponse(GrpcServerRequest<Buffer, Buffer> call, HttpServerRequest http,
      GrpcClientRequest<Buffer, Buffer> outgoing, GrpcClientResponse<Buffer, Buffer> incoming, Verdict verdict) {
    GrpcServerResponse<Buffer, Buffer> response = call.response();
    if (http.response().ended() || http.response().closed()) {
      outgoing.cancel();
      return;
    }
    incoming.headers().forEach(h -> {
      if (!NOT_RELAYED_RESPONSE.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        response.headers().add(h.getKey(), h.getValue());
      }
    });
    if (incoming.encoding() != null) {
      response.encoding(incoming.encoding());
    }
    Decision.Cut cut = verdict.terminal() instanceof Decision.Cut c ? c : null;
    if (cut != null) {
      response.headers().set(GrpcDecisions.FAULT_HEADER, cut.fault());
    }
    Decision.Abort abort = verdict.terminal() instanceof Decision.Abort a ? a : null;
    if (abort != null) {
      response.headers().set(GrpcDecisions.FAULT_HEADER, abort.fault());
    }
    if (incoming.status() == null) {
      response.writeHead();
    }
    int cutAfter = cut == null ? Integer.MAX_VALUE : cut.fraction() >= 0.5 ? 1 : 0;
    int abortAfter = abort == null ? Integer.MAX_VALUE : abort.afterMessages();
    MessagePacer pacer = verdict.throttleBps() > 0 ? new MessagePacer(verdict.throttleBps()) : null;
    long messageDelayMs = verdict.messageDelayMs();
    int[] relayed = {0};
    if (cutAfter == 0) {
      dropStream(http, outgoing, verdict);
      return;
    }
    incoming.messageHandler(message -> {
      if (relayed[0] >= cutAfter || relayed[0] >= abortAfter) {
        return;
      }
      long waitMs = messageDelayMs + (pacer == null ? 0 : pacer.reserve(message.payload().length()));
      if (waitMs <= 0) {
        relay(message, response, incoming);
      } else {
        incoming.pause();
        vertx.setTimer(waitMs, id -> {
          relay(message, response, incoming);
          if (!response.writeQueueFull()) {
            incoming.resume();
          }
        });
      }
      if (++relayed[0] >= cutAfter) {
        dropStream(http, outgoing, verdict);
      } else if (relayed[0] == abortAfter) {
        vertx.setTimer(Math.max(1, waitMs + 1), id -> {
          outgoing.cancel();
          end(call, verdict, GrpcStatus.valueOf(abort.code()),
              "stream aborted after " + abortAfter + " messages (injected by Faultline)", null);
        });
      }
    });
    incoming.errorHandler(error -> {
      if (!http.response().ended()) {
        response.cancel();
      }
      verdict.complete(true);
    });
    incoming.endHandler(v -> {
      if (relayed[0] >= cutAfter || relayed[0] >= abortAfter) {
        return;
      }
      incoming.trailers().forEach(t -> {
        String key = t.getKey().toLowerCase(Locale.ROOT);
        if (!key.equals("grpc-status") && !key.equals("grpc-message")) {
          response.trailers().add(t.getKey(), t.getValue());
        }
      });
      String message = incoming.statusMessage();
      String raw = incoming.trailers().get("grpc-message");
      if (message == null && raw != null) {
        message = QueryStringDecoder.decodeComponent(raw, StandardCharsets.UTF_8);
      }
      GrpcStatus status = incoming.status() == null ? GrpcStatus.UNKNOWN : incoming.status();
      verdict.complete(GrpcDecisions.failed(status));
      response.status(status);
      if (message != null) {
        response.statusMessage(message);
      }
      if (!http.response().ended()) {
        response.end();
      }
    });
  }

  /** One place counts every call: its outcome when the response ends, "dropped" when the stream closes first. */
  private void track(HttpServerRequest http, String route, Verdict verdict) {
    long started = System.nanoTime();
    http.response().endHandler(v -> events.requestCompleted(listener, "grpc", route, outcome(http), System.nanoTime() - started));
    http.response().closeHandler(v -> {
      boolean lost = !http.response().ended();
      if (lost) {
        events.requestCompleted(listener, "grpc", route, "dropped", System.nanoTime() - started);
      }
      verdict.complete(lost);
    });
  }

  private static String outcome(HttpServerRequest http) {
    String code = http.response().trailers().get("grpc-status");
    if (code == null) {
      code = http.response().headers().get("grpc-status");
    }
    try {
      int value = code == null ? 2 : Integer.parseInt(code);
      return ChaosListener.outcome(GrpcCodes.httpStatus(GrpcCodes.NAMES.get(Math.min(value, GrpcCodes.NAMES.size() - 1))));
    } catch (NumberFormatException e) {
      return "5xx";
    }
  }

  private static String label(MethodRoutes.Route route) {
    return route.name() == null ? "default" : route.name();
  }

  private void injected(MethodRoutes.Route route, String type) {
    if (type != null) {
      events.faultInjected(listener, "grpc", label(route), type);
    }
  }

  /** The fault type behind a terminal decision, or null. */
  private static String faultOf(Decision terminal) {
    if (terminal instanceof Decision.Fail d) {
      return d.fault();
    } else if (terminal instanceof Decision.Status d) {
      return d.fault();
    } else if (terminal instanceof Decision.Timeout) {
      return "timeout";
    } else if (terminal instanceof Decision.Reset d) {
      return d.fault();
    } else if (terminal instanceof Decision.Cut d) {
      return d.fault();
    } else if (terminal instanceof Decision.Abort d) {
      return d.fault();
    }
    return null;
  }

  /** Relays request frames at the throttled rate: the call is paused while a frame waits its turn, and ends after the last. */
  private void paced(GrpcServerRequest<Buffer, Buffer> call, GrpcClientRequest<Buffer, Buffer> outgoing, MessagePacer pacer) {
    int[] waiting = {0};
    boolean[] ended = {false};
    call.messageHandler(message -> {
      long waitMs = pacer.reserve(message.payload().length());
      if (waitMs <= 0) {
        relay(message, outgoing, call);
        return;
      }
      waiting[0]++;
      call.pause();
      vertx.setTimer(waitMs, id -> {
        relay(message, outgoing, call);
        waiting[0]--;
        if (ended[0] && waiting[0] == 0) {
          outgoing.end();
        } else if (!outgoing.writeQueueFull()) {
          call.resume();
        }
      });
    });
    call.endHandler(v -> {
      ended[0] = true;
      if (waiting[0] == 0) {
        outgoing.end();
      }
    });
  }

  /** Writes one raw frame, keeping its compression, and pauses {@code source} while {@code target} is full. */
  private static void relay(GrpcMessage message, GrpcWriteStream<Buffer> target, io.vertx.core.streams.ReadStream<?> source) {
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

  private void dropStream(HttpServerRequest http, GrpcClientRequest<Buffer, Buffer> outgoing, Verdict verdict) {
    vertx.runOnContext(v -> {
      verdict.complete(true);
      http.response().reset(REFUSED_STREAM);
      outgoing.cancel();
    });
  }

  private static void end(GrpcServerRequest<Buffer, Buffer> call, Verdict verdict, GrpcStatus status, String message, String fault) {
    GrpcServerResponse<Buffer, Buffer> response = call.response();
    verdict.complete(GrpcDecisions.failed(status));
    try {
      if (fault != null) {
        response.headers().set(GrpcDecisions.FAULT_HEADER, fault);
      }
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyAnswered) {
      // the deadline (or the client) ended the call first
    }
    call.resume();
  }
}
