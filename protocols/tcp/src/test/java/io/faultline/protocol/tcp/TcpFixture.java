package io.faultline.protocol.tcp;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A tcp listener named {@code db} in front of a real TCP echo server, on loopback ports, with its chaos
 * state and a recording of what it counted; clients are plain {@link Socket}s.
 */
final class TcpFixture implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  final ChaosState state;
  final RecordingListener events = new RecordingListener();
  final TcpProtocolModule module = new TcpProtocolModule();
  final ListenerDeployment deployment;
  final int upstreamPort;
  final int port;

  TcpFixture(String chaosJson) {
    this(chaosJson, null);
  }

  /** A listener with its own {@code send_timeout_ms} (null: the default). */
  TcpFixture(String chaosJson, Long sendTimeoutMs) {
    this(chaosJson, sendTimeoutMs, -1);
  }

  /** A listener in front of the upstream on {@code upstreamPort} (-1: an echo server of its own). */
  TcpFixture(String chaosJson, Long sendTimeoutMs, int upstreamPort) {
    state = new ChaosState(ChaosJson.parse(chaosJson, ChaosConfig.class, ""));
    this.upstreamPort = upstreamPort < 0 ? Upstreams.echoTcp(vertx) : upstreamPort;
    ListenerConfig listener = new ListenerConfig("db", "tcp", "127.0.0.1", 0, "127.0.0.1:" + this.upstreamPort, null, null, 2_000L,
        1, null, null);
    if (sendTimeoutMs != null) {
      listener = listener.withSendTimeout(sendTimeoutMs);
    }
    deployment = new ListenerDeployment(vertx, listener, -1, state, events);
    port = module.deploy(deployment).await();
  }

  /** Sets the rule {@code listener:db} (the listener's own chaos) from its JSON sections, chaos on. */
  void rule(String sectionsJson) {
    state.enable(true);
    state.putRule(ChaosJson.parse("{\"name\": \"listener:db\", \"match\": {\"listener\": \"db\"}, " + sectionsJson + "}",
        ChaosRule.class, ""));
  }

  Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    return socket;
  }

  /** Sends {@code n} pattern bytes and reads them back: answers the bytes read (fewer when the connection ended). */
  static byte[] roundTrip(Socket socket, int n) throws IOException {
    byte[] sent = Upstreams.pattern(n);
    OutputStream out = socket.getOutputStream();
    out.write(sent);
    out.flush();
    return read(socket.getInputStream(), n);
  }

  /** Reads up to {@code n} bytes, fewer if the stream ends first. */
  static byte[] read(InputStream in, int n) throws IOException {
    return Upstreams.readUpTo(in, n);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
