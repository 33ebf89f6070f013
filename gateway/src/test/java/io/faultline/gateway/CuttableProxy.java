package io.faultline.gateway;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of a local port whose connections can be cut: {@link #cut()} closes
 * every connection and refuses new ones (accepted, then closed at once) until {@link #restore()}; {@link #freeze()}
 * keeps them open and carries nothing. What a browser sees when the network between it and the gateway goes
 * away, or the gateway hangs. (No back-pressure: a test's few bytes.)
 */
final class CuttableProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean frozen;

  CuttableProxy(Vertx vertx, int targetPort) {
    client = vertx.createNetClient();
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).connectHandler(in -> {
      if (cut) {
        in.close();
        return;
      }
      in.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed() || cut) {
          in.close();
          if (ar.succeeded()) {
            ar.result().close();
          }
          return;
        }
        NetSocket out = ar.result();
        open.add(in);
        open.add(out);
        in.closeHandler(v -> {
          open.remove(in);
          out.close();
        });
        out.closeHandler(v -> {
          open.remove(out);
          in.close();
        });
        in.handler(data -> relay(data, out));
        out.handler(data -> relay(data, in));
        in.resume();
      });
    });
    server.listen().await();
  }

  /** Passes {@code data} on, unless the link is frozen: then it is held back, as a hung peer's never comes. */
  private void relay(io.vertx.core.buffer.Buffer data, NetSocket to) {
    if (!frozen) {
      to.write(data);
    }
  }

  int port() {
    return server.actualPort();
  }

  /** Every connection stays open and carries nothing more either way: a gateway that hangs (kill -STOP), or a network that drops everything. */
  void freeze() {
    frozen = true;
  }

  void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  void restore() {
    cut = false;
    frozen = false;
  }

  @Override
  public void close() {
    cut();
    server.close().await();
    client.close().await();
  }
}
