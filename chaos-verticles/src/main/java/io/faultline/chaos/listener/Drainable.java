package io.faultline.chaos.listener;

import io.vertx.core.Future;

/**
 * A listener's verticle that can stop gracefully, as a node does when it is told to stop (SIGTERM): its port
 * refuses new connections, and the connections it has end once what they carry is answered (an HTTP/1
 * connection after its response in progress, an HTTP/2 one by GOAWAY after its streams, a relayed
 * WebSocket with a going-away close), or at the grace's end at the latest.
 */
public interface Drainable {

  /** Starts the drain; completes once every connection is gone. {@code graceMs} 0 closes them at once. */
  Future<Void> drain(long graceMs);
}
