package io.faultline.chaos.listener;

import io.faultline.chaos.config.Upstream;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The upstream side of one HTTP exchange on a connection of {@link UpstreamConnections}: the connection
 * goes back once the request went out whole and the answer came in whole (and is closed after any
 * failure), and the route timeout ({@link AnswerDeadlines}) runs until the answer's head is in. As with
 * Vert.x's own request timeout, which this replaces, a body is never cut for its silences: an event
 * stream may wait longer than any timeout between two events.
 */
public final class UpstreamLeg {

  private final UpstreamConnections connections;
  private final Upstream upstream;
  private final HttpClientConnection connection;
  private final HttpClientRequest request;
  private final boolean reused;
  private AnswerDeadlines.Watch watch;
  private boolean sent;
  private boolean received;
  private boolean reusable;
  private boolean over;

  UpstreamLeg(UpstreamConnections connections, Upstream upstream, HttpClientConnection connection, HttpClientRequest request,
      boolean reused) {
    this.connections = connections;
    this.upstream = upstream;
    this.connection = connection;
    this.request = request;
    this.reused = reused;
  }

  /**
   * Whether the connection carried an exchange before this one: an upstream may close a kept-alive connection
   * as a request goes out on it (its keep-alive timeout, a restart), which says nothing of the request.
   */
  public boolean reused() {
    return reused;
  }

  /** The request to the upstream. */
  public HttpClientRequest request() {
    return request;
  }

  /**
   * Starts the route timeout ({@code timeoutMs}, none when not positive): an upstream that has not answered
   * by then has its request reset with a {@link TimeoutException} saying so, naming the client's
   * {@code incoming} request (504, see {@link io.faultline.chaos.exchange.UpstreamFailures}). The message is
   * built only then, not for every request.
   */
  public void deadline(AnswerDeadlines deadlines, long timeoutMs, HttpServerRequest incoming) {
    watch = deadlines.watch(timeoutMs, () -> request.reset(0, new TimeoutException(
        "the upstream did not answer within " + timeoutMs + " ms (route timeout): " + incoming.method() + " " + incoming.uri())));
  }

  /**
   * A piece of the request's body went upstream (or its end): the route timeout counts from now. An upload
   * slower than the timeout was answered 504 "the upstream did not answer" while the upstream was still reading
   * it; as nginx's proxy_send_timeout and proxy_read_timeout, the timeout now bounds each silence.
   */
  public void progress() {
    if (watch != null) {
      watch.restart();
    }
  }

  /** The answer's head is in: the route timeout is over. */
  public void answered() {
    if (watch != null) {
      watch.done();
    }
  }

  /** The request went out ({@code whole}) or failed to. */
  public void sent(boolean whole) {
    sent = true;
    if (!whole) {
      failed();
    } else if (received) {
      finish(reusable);
    }
  }

  /** The answer came in whole: {@code answer}'s headers say whether the upstream keeps the connection. */
  public void received(HttpClientResponse answer) {
    received = true;
    reusable = keepsAlive(answer);
    if (watch != null) {
      watch.done();
    }
    if (sent) {
      finish(reusable);
    }
  }

  /** The exchange failed on either side: the connection is closed. */
  public void failed() {
    finish(false);
  }

  private void finish(boolean reuse) {
    if (over) {
      return;
    }
    over = true;
    if (watch != null) {
      watch.done();
    }
    connections.release(upstream, connection, reuse);
  }

  /** Whether the upstream keeps the connection after {@code answer} (RFC 9112 9.3). */
  static boolean keepsAlive(HttpClientResponse answer) {
    return keepsAlive(answer.getHeader(HttpHeaders.CONNECTION), answer.version() == HttpVersion.HTTP_1_0);
  }

  /**
   * Whether an upstream keeps its connection after an answer whose {@code Connection} header is {@code said}
   * (null when it sent none) (RFC 9112 9.3): an HTTP/1.0 answer only when it says keep-alive, an HTTP/1.1 one
   * unless it says close.
   */
  public static boolean keepsAlive(String said, boolean http10) {
    if (http10) {
      return said != null && said.toLowerCase(Locale.ROOT).contains("keep-alive");
    }
    return said == null || !said.toLowerCase(Locale.ROOT).contains("close");
  }
}
