package io.faultline.chaos.listener;

import io.faultline.chaos.config.TrafficShapingConfig;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection-level rules for one listener, shared by all its verticle instances: the {@link Http1Guard}
 * (request framing, the header timeout against slowloris, the keep-alive idle timeout), the {@link SendTimeout}
 * (a client that stops reading), and chaos's connection
 * shaping: connections beyond {@code max_connections} are closed when Vert.x hands them over (at their first
 * bytes, which tell HTTP/1.1 from HTTP/2), and with
 * {@code connection_timeout_ms} every connection is closed that long after it opened.
 */
public final class ConnectionGate {

  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean draining;
  private final long headerTimeoutMs;
  private final long idleTimeoutMs;
  private final long sendTimeoutMs;
  /** Who a connection's peer is, in the send timeout's warning. */
  private final String clients;

  /**
   * A gate with the default header timeout ({@link io.faultline.chaos.config.ListenerConfig#DEFAULT_HEADER_TIMEOUT_MS}), no idle
   * timeout, and the default send timeout ({@link io.faultline.chaos.config.ListenerConfig#DEFAULT_SEND_TIMEOUT_MS}).
   */
  public ConnectionGate() {
    this(io.faultline.chaos.config.ListenerConfig.DEFAULT_HEADER_TIMEOUT_MS, 0, io.faultline.chaos.config.ListenerConfig.DEFAULT_SEND_TIMEOUT_MS,
        "client");
  }

  /** The gate of {@code listener}: its header and idle timeouts (see {@link Http1Guard}), and its send timeout ({@link SendTimeout}). */
  public ConnectionGate(io.faultline.chaos.config.ListenerConfig listener) {
    this(listener.headerTimeoutMs(), listener.idleTimeout(), listener.sendTimeout(), "listener " + listener.name() + ": client");
  }

  private ConnectionGate(long headerTimeoutMs, long idleTimeoutMs, long sendTimeoutMs, String clients) {
    this.headerTimeoutMs = headerTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.sendTimeoutMs = sendTimeoutMs;
    this.clients = clients;
  }

  /**
   * The listener drains (it is removed, or the node stops): every HTTP/1 answer from now on says
   * {@code Connection: close}, as nginx's do when it exits, so keep-alive clients do not send their next
   * request into the connection's close.
   */
  public void draining() {
    draining = true;
  }

  public void onConnection(Vertx vertx, ChaosState state, HttpConnection connection) {
    Http1Guard.install(connection, headerTimeoutMs, idleTimeoutMs, () -> draining);
    FlushBatching.install(connection);
    SendTimeout.install(connection, sendTimeoutMs, clients);
    int count = open.incrementAndGet();
    TrafficShapingConfig shaping = state.snapshot().connectionShaping();
    if (shaping != null && shaping.maxConnections() > 0 && count > shaping.maxConnections()) {
      whenClosed(connection, open::decrementAndGet);
      connection.close();
      return;
    }
    long[] timer = {-1};
    if (shaping != null && shaping.connectionTimeoutMs() > 0) {
      closeWhenOld(vertx, state, connection, System.nanoTime(), timer, shaping.connectionTimeoutMs());
    }
    whenClosed(connection, () -> {
      open.decrementAndGet();
      if (timer[0] >= 0) {
        vertx.cancelTimer(timer[0]);
      }
    });
  }

  /**
   * Closes {@code connection} once it is as old as the {@code connection_timeout_ms} in force when its time comes
   * (looked at in {@code ms}): chaos switched off, or the timeout taken away, meanwhile leaves it open, as a plain
   * proxy would (the kill switch still closed every connection opened under the timeout); a timeout changed
   * meanwhile counts from when the connection opened.
   */
  private static void closeWhenOld(Vertx vertx, ChaosState state, HttpConnection connection, long openedNanos, long[] timer, long ms) {
    timer[0] = vertx.setTimer(Math.max(1, ms), id -> {
      timer[0] = -1;
      TrafficShapingConfig shaping = state.snapshot().connectionShaping();
      if (shaping == null || shaping.connectionTimeoutMs() <= 0) {
        return;
      }
      long left = shaping.connectionTimeoutMs() - (System.nanoTime() - openedNanos) / 1_000_000;
      if (left <= 0) {
        connection.close();
      } else {
        closeWhenOld(vertx, state, connection, openedNanos, timer, left);
      }
    });
  }

  /**
   * Runs {@code action} once the connection's socket is closed, whatever it carried: not through
   * {@link HttpConnection#closeHandler}, which never runs for a connection upgraded to a WebSocket (Vert.x
   * hands its socket to the WebSocket), so every WebSocket or GraphQL subscription ever opened stayed counted
   * and {@code max_connections} came to refuse every new connection.
   */
  private static void whenClosed(HttpConnection connection, Runnable action) {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
      base.channel().closeFuture().addListener(closed -> action.run());
    } else {
      connection.closeHandler(v -> action.run());
    }
  }
}
