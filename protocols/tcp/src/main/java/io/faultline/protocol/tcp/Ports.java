package io.faultline.protocol.tcp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Waits for a closed server's port to be free. Vert.x 5.0.7 completes {@code NetServer.close()} before the
 * listening socket is closed (seen: 41 of 200 connections made right after {@code close().await()} were
 * accepted), so a listener that goes down checks that its port really refuses before it says so.
 */
final class Ports {

  /** How long a port may take to close before the listener reports down anyway (and logs it). */
  static final long MAX_WAIT_MS = 2_000;

  private Ports() {
  }

  /**
   * Completes once nothing listens on {@code host:port}: binding a socket there (without listening, so no
   * client can reach it) succeeds only when no listening socket holds the port. Polls each millisecond.
   * The probe binds with {@code SO_REUSEADDR}, as the listener itself does, so the connections the listener
   * closed (in TIME_WAIT on its port for a minute) do not hold it up: only a listening socket does.
   */
  static Future<Void> released(Vertx vertx, String host, int port) {
    Promise<Void> released = Promise.promise();
    long deadline = System.nanoTime() + MAX_WAIT_MS * 1_000_000;
    poll(vertx, host, port, deadline, released);
    return released.future();
  }

  private static void poll(Vertx vertx, String host, int port, long deadline, Promise<Void> released) {
    if (free(host, port) || System.nanoTime() > deadline) {
      released.complete();
      return;
    }
    vertx.setTimer(1, id -> poll(vertx, host, port, deadline, released));
  }

  private static boolean free(String host, int port) {
    try (Socket probe = new Socket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
