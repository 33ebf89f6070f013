package io.faultline.admin.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.logging.Logger;

/**
 * The TCP event-bus bridge for scripts (vertx-tcp-eventbus-bridge: 4-byte length-prefixed JSON frames).
 * Only {@code faultline.*} addresses pass, in both directions; anything else is refused with an error
 * frame. Off unless configured; binds 127.0.0.1 unless told otherwise.
 */
public final class TcpBridgeVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(TcpBridgeVerticle.class.getName());

  /** The addresses a script may send to, publish to and listen on. */
  public static final String PERMITTED = "faultline\\..+";

  private final String host;
  private final int port;
  private TcpEventBusBridge bridge;

  public TcpBridgeVerticle(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    PermittedOptions faultline = new PermittedOptions().setAddressRegex(PERMITTED);
    bridge = TcpEventBusBridge.create(vertx,
        new BridgeOptions().addInboundPermitted(faultline).addOutboundPermitted(faultline),
        new NetServerOptions().setHost(host).setPort(port));
    return bridge.listen().onSuccess(b -> LOG.info(() -> "TCP event-bus bridge on " + host + ":" + port + " (faultline.* only)"));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
