package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.ProxiedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamConnections;
import io.faultline.chaos.listener.UpstreamLeg;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.util.Locale;

/**
 * One GraphQL operation over HTTP: its request and body, the operation parsed from it, and its way to
 * the upstream and back, with the exchange's field faults, cut and bandwidth applied to the answer.
 * {@link #exchange} is null when chaos left it untouched.
 */
final class GraphQlCall {

  /** The header naming the fault injected into an answer. */
  static final String FAULT_HEADER = "X-Faultline-Fault";

  final HttpServerRequest request;
  final RouteTable.Route route;
  final Buffer body;
  final long startedNanos;
  final ParsedOperation operation;
  /** Why the document is refused before anything else happens (over the parsing budget), or null. */
  Exchange<GraphQlCall> exchange;
  /** The upstream call under way (null before it is sent), reset when the client leaves. */
  private UpstreamLeg leg;
  /** Counted, as answered or dropped: nothing more happens to the operation. */
  private boolean over;
  private final Vertx vertx;
  private final UpstreamConnections connections;
  private final AnswerDeadlines deadlines;
  private final SchemaCache schemas;
  private final ExchangeRunner<GraphQlCall> runner;

  GraphQlCall(HttpServerRequest request, RouteTable.Route route, Buffer body, Vertx vertx, UpstreamConnections connections, AnswerDeadlines deadlines, SchemaCache schemas,
      DocumentCache documents, ExchangeRunner<GraphQlCall> runner) {
    this.request = request;
    this.route = route;
    this.body = body;
    this.startedNanos = System.nanoTime();
    this.vertx = vertx;
    this.connections = connections;
    this.deadlines = deadlines;
    this.schemas = schemas;
    this.runner = runner;
    DocumentCache.Parsed parsed = parse(request, body, documents);
    this.operation = parsed == null ? null : parsed.operation();
  }

  /** Runs the operation through the chaos lifecycle, or straight upstream when chaos leaves it untouched. */
  void run() {
    // a client that leaves is dropped then, during a delay too, and its upstream call (if any) reset: not
    // when the upstream answers, with the upstream's time, the upstream working on for nobody
    request.response().closeHandler(v -> {
      boolean upstreamCallOpen = leg != null && !over;
      drop(false); // first: the reset below fails the upstream call at once, which must not answer or count it
      if (upstreamCallOpen) {
        leg.failed();
        leg.request().reset();
      }
    });
    exchange = runner.start(this, route.name(), startedNanos);
    if (exchange == null) {
      forward();
    } else {
      exchange.proceed();
    }
  }

  /** The document the request carries, parsed (or from the cache); null when it carries none. */
  private static DocumentCache.Parsed parse(HttpServerRequest request, Buffer body, DocumentCache documents) {
    if (request.method() == HttpMethod.GET) {
      return documents.parse(request.getParam("query"), request.getParam("operationName"));
    }
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/graphql")
        && !type.toLowerCase(Locale.ROOT).startsWith("application/graphql-response")) {
      return documents.parse(body.toString(), null);
    }
    GraphQlBody json = GraphQlBody.read(body); // null when not JSON: the upstream will say so
    return json == null ? null : documents.parse(json.query(), json.operationName());
  }

  void forward() {
    Upstream upstream = route.upstream();
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(upstream.target(request.uri()));
    connections.request(upstream, options, route.timeoutMs()).onComplete(opened -> {
      if (opened.failed()) {
        upstreamFailed(opened.cause());
      } else {
        send(opened.result());
      }
    });
  }

  private void send(UpstreamLeg leg) {
    if (over) { // the client left while the connection was being had
      leg.failed();
      leg.request().reset();
      return;
    }
    this.leg = leg;
    HttpClientRequest out = leg.request();
    MultiMap headers = out.headers();
    ProxiedHeaders.request(request, headers);
    headers.remove(HttpHeaders.CONTENT_LENGTH); // the body is sent whole: end() sets it
    if (exchange != null) {
      exchange.clearTraceContext(headers);
      if (!exchange.verdict().fieldErrors().isEmpty()) {
        // fields are nulled in the answer's JSON: a gzipped answer could not be read, and went out untouched
        headers.set(HttpHeaders.ACCEPT_ENCODING, "identity");
      }
    }
    leg.deadline(deadlines, route.timeoutMs(), request);
    out.response().onComplete(ar -> {
      if (over) {
        return;
      }
      if (ar.succeeded()) {
        leg.answered();
        respond(ar.result(), leg);
      } else {
        leg.failed();
        upstreamFailed(ar.cause());
      }
    });
    out.end(body).onComplete(sent -> leg.sent(sent.succeeded()));
  }

  /** The upstream failed or timed out: 502 or 504, saying why. */
  private void upstreamFailed(Throwable cause) {
    runner.translator().upstreamFailed(this, route.upstream().toString(), UpstreamFailures.shown(cause));
  }

  private void respond(HttpClientResponse upstream, UpstreamLeg leg) {
    HttpServerResponse response = request.response().setStatusCode(upstream.statusCode());
    ProxiedHeaders.answer(upstream.headers(), response.headers());
    response.headers().remove(HttpHeaders.CONTENT_LENGTH); // set below, for the body as it leaves
    Terminal.Cut cut = exchange == null ? null : exchange.cutting();
    boolean rewrite = exchange != null && !exchange.verdict().fieldErrors().isEmpty() && operation != null && isJson(upstream);
    if (rewrite || cut != null) {
      Future<GraphQlSchema> schema = rewrite ? schemas.schemaFor(route, request.path(), request.headers()) : Future.succeededFuture();
      upstream.body().onComplete(ar -> {
        if (ar.failed()) {
          leg.failed();
          headThenDrop(upstream, response);
          return;
        }
        leg.received(upstream);
        schema.onComplete(known -> {
          Buffer out = rewrite ? nullFields(ar.result(), known.result()) : ar.result();
          if (cut != null) {
            response.putHeader(FAULT_HEADER, cut.type());
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
            response.write(out.slice(0, (int) (out.length() * cut.fraction()))).onComplete(w -> drop());
          } else {
            response.end(out);
            end(upstream.statusCode());
          }
        });
      });
      return;
    }
    if (upstream.getHeader(HttpHeaders.CONTENT_LENGTH) != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, upstream.getHeader(HttpHeaders.CONTENT_LENGTH));
    } else {
      response.setChunked(true);
    }
    long bps = exchange == null ? 0 : exchange.verdict().throttleBps();
    relay(bps > 0 ? exchange.paced(upstream, bps) : upstream, upstream, response, leg);
  }

  /**
   * Streams the upstream's body to the client, back-pressured. Not Vert.x's pipe: when the client leaves
   * mid-answer, the pipe ends the closed response from inside a write and then asks it
   * {@code writeQueueFull()}, which throws ("Response has already been written", logged as an unhandled
   * exception for every such client). Here a client that left is dropped once and the upstream call reset.
   */
  private void relay(ReadStream<Buffer> source, HttpClientResponse upstream, HttpServerResponse response, UpstreamLeg leg) {
    boolean[] dropped = {false};
    java.util.function.Consumer<Boolean> stop = byUpstream -> {
      if (!dropped[0]) {
        dropped[0] = true;
        leg.failed();
        upstream.request().reset();
        drop(byUpstream);
      }
    };
    source.handler(chunk -> {
      if (response.closed()) {
        stop.accept(false);
        return;
      }
      response.write(chunk);
      if (response.writeQueueFull()) {
        source.pause();
        response.drainHandler(v -> source.resume());
      }
    });
    source.exceptionHandler(e -> {
      // the upstream sent its head and failed: the client gets that head, then the break, as through nginx
      // (unless the client had left: the failure is then the echo of its upstream call's reset)
      boolean byUpstream = !response.closed();
      if (response.headWritten() || response.closed()) {
        stop.accept(byUpstream);
      } else {
        response.writeHead().onComplete(written -> stop.accept(byUpstream));
      }
    });
    source.endHandler(v -> {
      if (response.closed()) {
        stop.accept(false);
      } else {
        leg.received(upstream);
        response.end();
        end(upstream.statusCode());
      }
    });
  }

  private Buffer nullFields(Buffer original, GraphQlSchema schema) {
    JsonObject json;
    try {
      json = original.toJsonObject();
    } catch (DecodeException e) {
      return original;
    }
    if (FieldNulling.apply(json, exchange.verdict().fieldErrors(), operation, schema) > 0
        && !exchange.counted(io.faultline.chaos.fault.GraphQlFieldFault.TYPE)) {
      exchange.injected(io.faultline.chaos.fault.GraphQlFieldFault.TYPE);
    }
    Buffer out = Buffer.buffer(json.encode());
    request.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
    return out;
  }

  /** Answers with {@code body} and HTTP {@code status}, and ends the exchange. */
  void answer(int status, JsonObject body) {
    if (over) {
      return;
    }
    GraphQlResponses.send(request.response(), status, body);
    end(status);
  }

  /**
   * The upstream's answer failed before its body was read whole: the client gets the answer's head as the
   * upstream sent it, then the break.
   */
  private void headThenDrop(HttpClientResponse upstream, HttpServerResponse response) {
    if (response.headWritten() || response.closed()) {
      drop();
      return;
    }
    String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      response.setChunked(true);
    }
    response.writeHead().onComplete(written -> drop());
  }

  /**
   * Breaks the operation off without an answer (or mid-answer): its HTTP/2 stream is reset, or its
   * HTTP/1.x connection closed. The client's other operations on an HTTP/2 connection go on. A failure of
   * the upstream's, for a circuit breaker: chaos or the upstream broke it off.
   */
  void drop() {
    drop(true);
  }

  /** As {@link #drop()}; {@code failed} false when the client left: no failure of the upstream's. */
  private void drop(boolean failed) {
    if (over) {
      return;
    }
    over = true;
    AbruptClose.abort(request);
    if (exchange != null) {
      exchange.drop(failed);
    } else {
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, "dropped");
    }
  }

  private void end(int status) {
    if (over) {
      return;
    }
    over = true;
    if (exchange != null) {
      exchange.end(status);
    } else {
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, ChaosListener.outcome(status));
    }
  }

  private static boolean isJson(HttpClientResponse response) {
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).contains("json");
  }
}
