package io.faultline.admin.bridge;

import io.faultline.chaos.listener.BindFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The TCP event-bus bridge for scripts. It speaks the wire protocol of vertx-tcp-eventbus-bridge (a
 * 4-byte big-endian length, then a JSON frame: {@code send}, {@code publish}, {@code register},
 * {@code unregister}, {@code ping}), so that library's clients and ours work unchanged, but it is our
 * own small server because the library cannot do two things a control surface must: it buffers a frame
 * of any announced length (one connection could make it hold 2 GB), and it has no notion of a
 * credential. Here a frame over {@link BridgeConnection#MAX_FRAME_BYTES} closes the connection, every
 * frame must carry the admin token when the node has one, and only the documented public addresses
 * pass ({@link PublicAddresses}). Off unless configured; binds 127.0.0.1 unless told otherwise.
 */
public final class TcpBridgeVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(TcpBridgeVerticle.class.getName());

  private final String host;
  private final int port;
  private final String token;
  private final Set<String> inbound;
  private final Set<String> outbound;
  private NetServer server;

  /** {@code token} (null for none) must be sent as {@code headers.authorization: "Bearer TOKEN"} in every frame. */
  public TcpBridgeVerticle(String host, int port, String token) {
    this(host, port, token, PublicAddresses.inbound(), PublicAddresses.outbound());
  }

  TcpBridgeVerticle(String host, int port, String token, Set<String> inbound, Set<String> outbound) {
    this.host = host;
    this.port = port;
    this.token = token;
    this.inbound = Set.copyOf(inbound);
    this.outbound = Set.copyOf(outbound);
  }

  @Override
  public Future<?> start() {
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port))
        .connectHandler(socket -> new BridgeConnection(vertx.eventBus(), socket, token, inbound, outbound).start());
    return BindFailures.named(server.listen(), "bridge", host, port).onSuccess(s -> {
      LOG.info(() -> "TCP event-bus bridge on " + host + ":" + s.actualPort()
          + " (" + inbound.size() + " public addresses" + (token == null ? "" : ", admin token required") + ")");
      // as the admin API warns: the bridge drives the same controls
      if (token == null && !io.faultline.chaos.config.Hosts.loopback(host)) {
        LOG.warning(() -> "the event-bus bridge listens on " + host + ", beyond this machine, with no token: anyone who reaches"
            + " port " + s.actualPort() + " can change the chaos of all traffic, add listeners and start orchestrations."
            + " Set --admin-token (admin.token).");
      }
    });
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
