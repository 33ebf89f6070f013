package io.faultline.chaos.listener;

import io.faultline.chaos.config.TrafficShapingConfig;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection-level shaping for one listener, shared by all its verticle instances: connections beyond
 * {@code max_connections} are closed as they open, and with {@code connection_timeout_ms} every
 * connection is closed that long after it opened.
 */
public final class ConnectionGate {

  private final AtomicInteger open = new AtomicInteger();

  public void onConnection(Vertx vertx, ChaosState state, HttpConnection connection) {
    RequestChecks.guardFraming(connection);
    int count = open.incrementAndGet();
    TrafficShapingConfig shaping = state.snapshot().connectionShaping();
    long timer = -1;
    if (shaping != null && shaping.maxConnections() > 0 && count > shaping.maxConnections()) {
      connection.closeHandler(v -> open.decrementAndGet());
      connection.close();
      return;
    }
    if (shaping != null && shaping.connectionTimeoutMs() > 0) {
      timer = vertx.setTimer(shaping.connectionTimeoutMs(), id -> connection.close());
    }
    long timerId = timer;
    connection.closeHandler(v -> {
      open.decrementAndGet();
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
    });
  }
}
