package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.AnswerFraming;
import io.faultline.chaos.listener.ProxiedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamChannel;
import io.faultline.chaos.listener.UpstreamChannels;
import io.faultline.chaos.listener.UpstreamTrace;
import io.faultline.chaos.shaping.CutReadStream;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.concurrent.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
  /**
   * Of an answer to cut whose length is unknown (an event stream, a deferred answer's parts): what is held before the
   * cut, as the http listener holds one (half of it goes); one that ends sooner is cut at half its own length.
   */
  static final int CUT_WINDOW = 16 * 1024;
  /** The largest answer read whole to null its fields: a larger one goes on as it is (unread), its fields untouched. */
  static final int MAX_REWRITTEN_BYTES = 8 * 1024 * 1024;

  final HttpServerRequest request;
  final RouteTable.Route route;
  final Buffer body;
  final long startedNanos;
  /**
   * The context the request came in on (its own, duplicated): a traced exchange's span is attached there, so the
   * upstream call's client span is made from it, also when the call is sent from elsewhere (a kill switch's release).
   */
  final ContextInternal origin = ContextInternal.current();
  final ParsedOperation operation;
  /** Why the document is refused before anything else happens (over the parsing budget), or null. */
  Exchange<GraphQlCall> exchange;
  /** The upstream exchange under way (null before it is sent), its connection closed when the client leaves. */
  private Leg leg;
  /** Counted, as answered or dropped: nothing more happens to the operation. */
  private boolean over;
  /**
   * When the answer started ({@link System#nanoTime}; 0: not yet): the upstream's head came, or the gateway answered
   * itself. {@code faultline_request_duration_seconds} runs to here, as on the other listeners: not to the end of an
   * answer a bandwidth limit paces or the upstream streams.
   */
  private long answeredNanos;
  private final Vertx vertx;
  private final UpstreamChannels connections;
  private final AnswerDeadlines deadlines;
  private final SchemaCache schemas;
  private final ExchangeRunner<GraphQlCall> runner;

  GraphQlCall(HttpServerRequest request, RouteTable.Route route, Buffer body, long startedNanos, Vertx vertx, UpstreamChannels connections,
      AnswerDeadlines deadlines, SchemaCache schemas, DocumentCache documents, ExchangeRunner<GraphQlCall> runner) {
    this.request = request;
    this.route = route;
    this.body = body;
    this.startedNanos = startedNanos;
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
      drop(false); // first: the close below fails the upstream exchange at once, which must not answer or count it
      if (upstreamCallOpen) {
        leg.abandon();
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
      String query;
      String operationName;
      String extensions;
      try {
        query = request.getParam("query");
        operationName = request.getParam("operationName");
        extensions = request.getParam("extensions"); // a persisted query's hash, sent as JSON
      } catch (IllegalArgumentException e) {
        // a broken escape ("100%"): Vert.x's decoder throws, and the call was never answered; the gateway cannot read
        // the document, so it goes on untouched and the upstream says what is wrong with it
        return null;
      }
      if (extensions != null) {
        // only its hash is read from it: the parameter is the client's, made into a body of its own
        GraphQlBody persisted = GraphQlBody.read(Buffer.buffer("{\"extensions\":" + extensions + "}"));
        query = PersistedQueries.document(query, persisted == null ? null : persisted.hash());
      }
      return documents.parse(query, operationName);
    }
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/graphql")
        && !type.toLowerCase(Locale.ROOT).startsWith("application/graphql-response")) {
      return documents.parse(body.toString(), null);
    }
    GraphQlBody json = GraphQlBody.read(body); // null when not JSON: the upstream will say so
    return json == null ? null : documents.parse(PersistedQueries.document(json.query(), json.hash()), json.operationName());
  }

  void forward() {
    connections.acquire(route.upstream(), route.timeoutMs()).onComplete(opened -> {
      if (opened.failed()) {
        upstreamFailed(opened.cause());
      } else {
        send(opened.result());
      }
    });
  }

  /**
   * Sends the operation on {@code channel}, traced from {@link #origin}: the head and the body in one write, or under a
   * bandwidth limit the head, then the body at the limit's rate ({@link Leg#upload}).
   */
  private void send(UpstreamChannel channel) {
    if (over) { // the client left while the connection was being had: it carried nothing of this operation
      channel.unused();
      return;
    }
    Upstream upstream = route.upstream();
    HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
    ProxiedHeaders.request(request, headers);
    headers.set(HttpHeaders.HOST, channel.authority());
    headers.remove(HttpHeaders.TRANSFER_ENCODING); // the body was read whole: it goes with its length
    HttpMethod method = request.method();
    if (body.length() > 0 || method != HttpMethod.GET && method != HttpMethod.HEAD) {
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
    } else {
      headers.remove(HttpHeaders.CONTENT_LENGTH);
    }
    if (exchange != null) {
      exchange.clearTraceContext(headers);
      if (!exchange.verdict().fieldErrors().isEmpty()) {
        // fields are nulled in the answer's JSON: a gzipped answer could not be read, and went out untouched
        headers.set(HttpHeaders.ACCEPT_ENCODING, "identity");
      }
    }
    String uri = upstream.target(request.uri());
    Leg leg = new Leg(channel, UpstreamTrace.start(origin, channel, method.name(), uri, headers));
    this.leg = leg;
    channel.begin(leg, method == HttpMethod.HEAD);
    long timeoutMs = route.timeoutMs();
    leg.watch = deadlines.watch(timeoutMs, () -> leg.timedOut(timeoutMs));
    String target = uri.isEmpty() ? "/" : uri;
    long bps = exchange == null || body.length() == 0 ? 0 : exchange.verdict().throttleBps();
    if (bps > 0) {
      channel.write(new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method.toNetty(), target, headers), true);
      ReadStream<Buffer> paced = exchange.paced(AnswerBody.whole(body), bps);
      if (leg.onContext()) {
        leg.onContext(paced, leg::upload); // the pacer's timers are the exchange's context's, as the answer's are
      } else {
        leg.upload(paced);
      }
    } else {
      channel.write(new DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method.toNetty(), target,
          ((BufferInternal) body).getByteBuf(), headers, EmptyHttpHeaders.INSTANCE), true);
    }
  }

  /** The upstream failed or timed out: 502 or 504, saying why. */
  private void upstreamFailed(Throwable cause) {
    runner.translator().upstreamFailed(this, route.upstream().toString(), UpstreamFailures.shown(cause));
  }

  /**
   * The operation's exchange on its upstream connection ({@link UpstreamChannel}): the answer's head, then its body,
   * relayed piece by piece as it comes (each piece written as it is, no copy), paced under a bandwidth limit, or read
   * whole when its fields are to be nulled or it is to be cut. The connection goes back to its pool once the answer
   * came whole after the whole request (its body goes with the head, or paced after it: {@link #upload}), and is closed
   * after any failure, an answer that came before the request's end, or when the client leaves. The
   * route timeout runs until the answer's head is in: a body is never cut for its silences.
   */
  private final class Leg implements UpstreamChannel.Exchange {

    private final UpstreamChannel channel;
    /** The upstream call's client span, when traced; else null. */
    private final UpstreamTrace trace;
    private AnswerDeadlines.Watch watch;
    /** The connection was given back or closed: nothing more of it is this operation's. */
    private boolean done;
    private boolean reusable;
    /** The answer's head, once in. */
    private HttpResponse head;
    private int status;
    /** The body read so far, when the answer is read whole (fields nulled, or cut); else null. */
    private Buffer whole;
    private Terminal.Cut cut;
    private Future<GraphQlSchema> schema;
    /** The body as a stream for the pacer, under a bandwidth limit; else null. */
    private AnswerBody paced;
    /** The head is in and was not written yet: it goes at the end of the read unless a body piece took it. */
    private boolean headDue;
    /** The request's body on its way at a bandwidth limit's rate, until it went whole; else null. */
    private ReadStream<Buffer> upload;

    Leg(UpstreamChannel channel, UpstreamTrace trace) {
      this.channel = channel;
      this.trace = trace;
    }

    /**
     * Whether what comes from the upstream is handled on the exchange's context ({@link #origin}, null outside Vert.x's):
     * when chaos has an exchange, so that what it does with the answer (the pacer's timers, the schema fetch) runs there,
     * as it did through Vert.x's client, not in the bare Netty read that brings the answer. Untouched ones need none.
     */
    private boolean onContext() {
      return exchange != null && origin != null;
    }

    @Override
    public void head(HttpResponse in) {
      if (onContext()) {
        onContext(in, this::answer);
      } else {
        answer(in);
      }
    }

    @Override
    public void piece(HttpContent piece) {
      if (onContext()) {
        onContext(piece, this::take);
      } else {
        take(piece);
      }
    }

    @Override
    public void failed(Throwable cause) {
      if (onContext()) {
        onContext(cause, this::fail);
      } else {
        fail(cause);
      }
    }

    /**
     * Hands {@code event} to {@code handler} as the exchange's context's: not {@code dispatch()}, which reports and
     * swallows an exception, where it goes on to Netty, which closes the connection (the exchange hears it failed).
     */
    private <E> void onContext(E event, java.util.function.Consumer<E> handler) {
      ContextInternal previous = origin.beginDispatch();
      try {
        handler.accept(event);
      } finally {
        origin.endDispatch(previous);
      }
    }

    /**
     * Sends the request's body, paced ({@code body}), after its head: each piece restarts the route timeout, as an
     * upload on the http listener does (the timeout bounds the upstream's silence, not the upload's length), and the
     * pacer waits while the connection cannot take more.
     */
    void upload(ReadStream<Buffer> body) {
      upload = body;
      body.handler(piece -> {
        channel.write(new DefaultHttpContent(((BufferInternal) piece).getByteBuf()), true);
        if (watch != null && head == null) {
          watch.restart();
        }
        if (!channel.writable()) {
          body.pause(); // until the connection drains (writable)
        }
      });
      body.endHandler(v -> {
        upload = null;
        channel.write(LastHttpContent.EMPTY_LAST_CONTENT, true);
        if (watch != null && head == null) {
          watch.restart();
        }
      });
    }

    /**
     * Stops an upload under way (the answer came first, or the exchange ended): the pacer's timer stops. Whether one
     * was: the connection, mid-request, cannot carry another.
     */
    private boolean stopUpload() {
      ReadStream<Buffer> under = upload;
      if (under == null) {
        return false;
      }
      upload = null;
      under.handler(null);
      under.endHandler(null);
      return true;
    }

    private void answer(HttpResponse in) {
      if (done) {
        return;
      }
      stopWatch();
      boolean uploading = stopUpload(); // answered before the body went whole (a 413): the connection is closed after it
      if (over) { // the client left as the answer came
        abandon();
        return;
      }
      head = in;
      status = in.status().code();
      answering(status);
      io.netty.handler.codec.http.HttpHeaders inHeaders = in.headers();
      reusable = !uploading && UpstreamChannel.keepsAlive(in);
      HttpServerResponse response = request.response().setStatusCode(status);
      // Netty's decoder checked each of them as it read them: gathered where nothing checks them again (handOver)
      HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
      ProxiedHeaders.answer(new HeadersAdaptor(inHeaders), headers);
      headers.remove(HttpHeaders.CONTENT_LENGTH); // set below, for the body as it leaves
      cut = exchange == null ? null : exchange.cutting();
      boolean rewrite = exchange != null && !exchange.verdict().fieldErrors().isEmpty() && operation != null
          && isJson(inHeaders.get(HttpHeaderNames.CONTENT_TYPE));
      if (rewrite || cut != null) {
        ProxiedHeaders.handOver(headers, response);
        whole = Buffer.buffer();
        schema = rewrite ? schemas.schemaFor(route, io.faultline.chaos.listener.RequestChecks.path(request), request.headers()) : null;
        return;
      }
      String length = inHeaders.get(HttpHeaderNames.CONTENT_LENGTH);
      if (length != null) {
        headers.set(HttpHeaders.CONTENT_LENGTH, length);
      } else {
        AnswerFraming.unknownLength(request, response);
      }
      ProxiedHeaders.handOver(headers, response);
      long bps = exchange == null ? 0 : exchange.verdict().throttleBps();
      if (bps > 0) {
        paced = new AnswerBody(channel);
        relay(exchange.paced(paced, bps), response);
      } else {
        // The head goes out when it comes, also without a body yet (an event stream's first event, a deferred part, may
        // be a while away): at the end of this read, so a body that came in the same read still goes out with it
        headDue = true;
      }
    }

    private void take(HttpContent piece) {
      if (done) {
        piece.release();
        return;
      }
      boolean last = piece instanceof LastHttpContent;
      if (whole != null || paced != null) {
        Buffer bytes = Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(piece.content())); // kept past the read: a copy
        piece.release();
        if (last) {
          finish();
        }
        if (whole != null) {
          whole.appendBuffer(bytes);
          if (last && !over) {
            answerWhole();
          } else if (!last && !over) {
            heldSoFar();
          }
        } else {
          paced.data(bytes, last);
        }
        return;
      }
      HttpServerResponse response = request.response();
      if (response.closed() || over) {
        piece.release();
        abandon();
        drop(false);
        return;
      }
      headDue = false;
      ByteBuf content = piece.content();
      if (last) {
        finish();
        if (content.isReadable()) {
          UpstreamChannel.pass(piece, response, true);
        } else {
          piece.release();
          response.end();
        }
        end(status);
        return;
      }
      channel.passOn(piece, response, this);
    }

    @Override
    public void readDone() {
      if (headDue) {
        headDue = false;
        HttpServerResponse response = request.response();
        if (!done && !over && AnswerFraming.headCanGoNow(response)) {
          response.writeHead();
        }
      }
    }

    @Override
    public void writable() {
      ReadStream<Buffer> under = upload;
      if (under != null && !done) {
        if (onContext()) {
          onContext(under, ReadStream::resume); // the pacer's timers are the exchange's context's
        } else {
          under.resume();
        }
      }
    }

    private void fail(Throwable cause) {
      if (done) {
        return;
      }
      done = true; // the connection is closed
      stopWatch();
      stopUpload();
      if (trace != null) {
        trace.failed(cause);
      }
      if (over) {
        return;
      }
      if (head == null) {
        upstreamFailed(cause);
      } else if (whole != null) {
        headThenDrop(head, request.response());
      } else if (paced != null) {
        paced.fail(cause);
      } else {
        // the upstream sent its head and failed: the client gets that head, then the break, as through nginx
        HttpServerResponse response = request.response();
        if (!AnswerFraming.headCanGoNow(response)) {
          drop(!response.closed());
        } else {
          response.writeHead().onComplete(written -> drop());
        }
      }
    }

    /** The route timeout is over (the head came, or the exchange ended): none when the route has none. */
    private void stopWatch() {
      if (watch != null) {
        watch.done();
      }
    }

    /** The route timeout passed with no answer: 504, naming the client's request (built only now, not for every request). */
    void timedOut(long timeoutMs) {
      if (!done && head == null) {
        TimeoutException late = new TimeoutException("the upstream did not answer within " + timeoutMs + " ms (route timeout): "
            + request.method() + " " + request.uri());
        if (trace != null) {
          trace.failed(late);
        }
        abandon();
        upstreamFailed(late);
      }
    }

    /** The answer came whole: the connection goes back to its pool, or is closed when the upstream closes it. */
    private void finish() {
      done = true;
      stopWatch();
      if (trace != null) {
        trace.answered(status);
      }
      channel.done(reusable);
    }

    /** The exchange stops here (the client left, or chaos or a timeout ended it): its connection is closed, whatever it was doing. */
    void abandon() {
      if (!done) {
        done = true;
        stopWatch();
        stopUpload();
        if (trace != null) {
          trace.failed(new java.io.IOException(head == null ? "the exchange ended before the upstream answered" : "the exchange ended mid-answer"));
        }
        channel.close();
      }
    }

    /**
     * Part of an answer read whole is in: a cut that needs no more is made now, and one whose fields are to be nulled but
     * that is too large to read whole goes on as it is. Held whole, an answer of no end (an event stream, a subscription
     * over HTTP) never reached its client, the gateway's memory growing with it, and a large one sat in the heap.
     */
    private void heldSoFar() {
      long length = announcedLength();
      if (schema == null) { // cut only
        if (length >= 0 && whole.length() >= (long) (length * cut.fraction())) {
          cutNow(length, (long) (length * cut.fraction()));
        } else if (length < 0 && whole.length() > CUT_WINDOW) {
          cutNow(-1, (long) (CUT_WINDOW * cut.fraction()));
        }
      } else if (whole.length() > MAX_REWRITTEN_BYTES) {
        if (cut != null) {
          cutNow(length, length >= 0 ? (long) (length * cut.fraction()) : (long) (CUT_WINDOW * cut.fraction()));
        } else {
          passOnAsItIs(length);
        }
      }
    }

    /** The upstream's Content-Length, or -1 when it gave none. */
    private long announcedLength() {
      String length = head.headers().get(HttpHeaderNames.CONTENT_LENGTH);
      try {
        return length == null ? -1 : Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /**
     * Cuts the answer before its end: its head (with the upstream's length, or framed as of unknown length), its first
     * {@code keep} bytes, then the connection's close. The rest is not read: the upstream connection is closed.
     */
    private void cutNow(long announced, long keep) {
      Buffer out = whole.slice(0, (int) Math.min(keep, whole.length()));
      whole = null;
      abandon(); // what comes after is let go (done)
      HttpServerResponse response = request.response();
      response.putHeader(FAULT_HEADER, cut.type());
      if (announced >= 0) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(announced));
      } else {
        AnswerFraming.unknownLength(request, response);
      }
      sendThenCut(out, response);
    }

    /**
     * Sends {@code kept}, the part of a cut answer before its cut (at the bandwidth limit's rate, when there is one: it
     * went at once), then the cut; its head goes first however little comes before the cut (a reset before it was an
     * empty reply), but an HTTP/1.0 answer ended by its close, whose head cannot go alone.
     */
    private void sendThenCut(Buffer kept, HttpServerResponse response) {
      long bps = exchange.verdict().throttleBps();
      if (bps > 0) {
        relay(new CutReadStream(exchange.paced(AnswerBody.whole(kept), bps), kept.length(),
            () -> response.write(Buffer.buffer()).onComplete(w -> drop())), response);
      } else if (kept.length() > 0 || AnswerFraming.headCanGoFirst(response)) {
        response.write(kept).onComplete(w -> drop());
      } else {
        drop();
      }
    }

    /** An answer too large to rewrite goes on as it came, what was held first; the rest as it comes. */
    private void passOnAsItIs(long announced) {
      HttpServerResponse response = request.response();
      if (announced >= 0) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(announced));
      } else {
        AnswerFraming.unknownLength(request, response);
      }
      Buffer held = whole;
      whole = null;
      schema = null;
      long bps = exchange.verdict().throttleBps();
      if (bps > 0) {
        paced = new AnswerBody(channel);
        relay(exchange.paced(paced, bps), response);
        paced.data(held, false);
      } else {
        response.write(held);
      }
    }

    /** The whole body is in: its fields nulled, or cut, once the schema (if needed) is known. */
    private void answerWhole() {
      Future<GraphQlSchema> known = schema != null ? schema : Future.succeededFuture();
      known.onComplete(ar -> {
        if (over) {
          return;
        }
        HttpServerResponse response = request.response();
        Buffer out = schema != null ? nullFields(whole, ar.result()) : whole;
        if (cut != null) {
          response.putHeader(FAULT_HEADER, cut.type());
        }
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
        long bps = exchange.verdict().throttleBps();
        if (cut != null) {
          sendThenCut(out.slice(0, (int) (out.length() * cut.fraction())), response);
        } else if (bps > 0) {
          relay(exchange.paced(AnswerBody.whole(out), bps), response); // paced as an answer passed whole is
        } else {
          response.end(out);
          end(status);
        }
      });
    }
  }

  /**
   * Streams the paced body to the client, back-pressured. Not Vert.x's pipe: when the client leaves
   * mid-answer, the pipe ends the closed response from inside a write and then asks it
   * {@code writeQueueFull()}, which throws ("Response has already been written", logged as an unhandled
   * exception for every such client). Here a client that left is dropped once and the upstream connection closed.
   */
  private void relay(ReadStream<Buffer> source, HttpServerResponse response) {
    Leg leg = this.leg;
    boolean[] dropped = {false};
    java.util.function.Consumer<Boolean> stop = byUpstream -> {
      if (!dropped[0]) {
        dropped[0] = true;
        source.handler(null); // a paced stream stops its timer and lets go of what it holds (a whole answer it paced)
        leg.abandon();
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
      // (unless the client had left: the failure is then the echo of its upstream connection's close)
      boolean byUpstream = !response.closed();
      if (!AnswerFraming.headCanGoNow(response)) {
        stop.accept(byUpstream);
      } else {
        response.writeHead().onComplete(written -> stop.accept(byUpstream));
      }
    });
    source.endHandler(v -> {
      if (response.closed()) {
        stop.accept(false);
      } else {
        response.end();
        end(leg.status);
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
    if (FieldNulling.apply(json, exchange.verdict().fieldErrors(), operation, schema) == 0) {
      return original; // as it came: encoded again, its numbers lost digits (a Double each: 0.1234567890123456789)
    }
    if (!exchange.counted(io.faultline.chaos.fault.GraphQlFieldFault.TYPE)) {
      exchange.injected(io.faultline.chaos.fault.GraphQlFieldFault.TYPE);
    }
    Buffer out = Buffer.buffer(json.encode());
    request.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
    return out;
  }

  /**
   * Answers with {@code body} and HTTP {@code status}, and ends the exchange. A batch (a JSON array of operations) gets an
   * array of as many answers, each {@code body}: a client that sent one (Apollo's {@code BatchHttpLink}) reads one result
   * per operation, and failed every operation on a single object, unable to see a rate limit's code or an upstream's
   * failure.
   */
  void answer(int status, JsonObject body) {
    if (over) {
      return;
    }
    answering(status);
    int operations = GraphQlBody.batchSize(this.body);
    if (operations < 0) {
      GraphQlResponses.send(request.response(), status, body);
    } else {
      io.vertx.core.json.JsonArray each = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < Math.max(1, operations); i++) {
        each.add(body);
      }
      GraphQlResponses.send(request.response(), status, each);
    }
    end(status);
  }

  /**
   * The upstream's answer failed before its body was read whole: the client gets the answer's head as the
   * upstream sent it, then the break.
   */
  private void headThenDrop(HttpResponse upstream, HttpServerResponse response) {
    if (response.headWritten() || response.closed()) {
      drop();
      return;
    }
    String length = upstream.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      AnswerFraming.unknownLength(request, response);
    }
    if (AnswerFraming.headCanGoFirst(response)) {
      response.writeHead().onComplete(written -> drop());
    } else {
      drop(); // an HTTP/1.0 client's head without a length goes with the body's first bytes, and none came
    }
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
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, answeredNanos != 0 ? answeredNanos : System.nanoTime(), "dropped");
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
      runner.untouched(ExchangeRunner.label(route.name()), startedNanos, answeredNanos != 0 ? answeredNanos : System.nanoTime(),
          ChaosListener.outcome(status));
    }
  }

  /** The answer starts with {@code status}: its duration is measured to here ({@link #answeredNanos}). */
  private void answering(int status) {
    if (answeredNanos == 0) {
      answeredNanos = System.nanoTime();
      if (exchange != null) {
        exchange.responding(status, answeredNanos);
      }
    }
  }

  private static boolean isJson(String type) {
    return type != null && type.toLowerCase(Locale.ROOT).contains("json");
  }
}
