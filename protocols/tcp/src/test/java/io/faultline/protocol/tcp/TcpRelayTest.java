package io.faultline.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.testing.Upstreams;
import java.net.ConnectException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tcp listener with chaos off: a plain relay, counted per connection; an unreachable upstream; listener checks. */
class TcpRelayTest {

  @Test
  void bytesGoBothWaysUntouchedAndTheConnectionIsCountedWhenItEnds() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{\"enabled\": false}"); Socket socket = fixture.connect()) {
      assertThat(TcpFixture.roundTrip(socket, 4 * 1024 * 1024)).isEqualTo(Upstreams.pattern(4 * 1024 * 1024));
      socket.close();
      fixture.events.await("the connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.completions().get(0).outcome()).isEqualTo("2xx");
      assertThat(fixture.events.completions().get(0).protocol()).isEqualTo("tcp");
      assertThat(fixture.events.faults()).isEmpty();
    }
  }

  @Test
  void anUpstreamThatRefusesClosesTheClientAndCountsA502() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{\"enabled\": false}")) {
      int dead = Upstreams.closedPort();
      ListenerConfig listener = new ListenerConfig("dead", "tcp", "127.0.0.1", 0, "127.0.0.1:" + dead, null, null, 2_000L, 1, null, null);
      int port = fixture.module.deploy(new io.faultline.chaos.listener.ListenerDeployment(fixture.vertx, listener, -2,
          fixture.state, fixture.events)).await();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(5_000);
        assertThat(socket.getInputStream().read()).as("closed without a byte").isEqualTo(-1);
      }
      assertThat(port).as("a listener of its own, not the port of the first").isNotEqualTo(fixture.port);
      fixture.events.await("the refused connection", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.completions().get(0).outcome()).isEqualTo("5xx");
    }
  }

  @Test
  void aTcpListenerNeedsAHostAndPortUpstreamAndTakesNoRoutesNorTls() {
    TcpProtocolModule module = new TcpProtocolModule();
    for (List<String> bad : List.of(List.of("http://127.0.0.1:80", "upstream"), List.of("127.0.0.1", "upstream"))) {
      assertThatThrownBy(() -> module.check(new ListenerConfig("db", "tcp", null, 0, bad.get(0), null, null, null, null, null, null)))
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo(bad.get(1)))
          .hasMessageContaining(bad.get(0));
    }
    assertThatThrownBy(() -> module.check(new ListenerConfig("db", "tcp", null, 0, null, null, null, null, null, null, null)))
        .hasMessage("is required for a tcp listener (host:port)");
    assertThatThrownBy(() -> module.check(new ListenerConfig("db", "tcp", null, 0, "127.0.0.1:5432",
        List.of(new io.faultline.chaos.config.RouteConfig("r", "/x", null, null, "127.0.0.1:1", null)), null, null, null, null, null)))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("routes"));
    module.check(new ListenerConfig("db", "tcp", null, 0, "db.internal:5432", null, null, null, null, null, null));
  }

  @Test
  void nothingListensOnAClosedPortSoTheFixtureSeesARealRefusal() {
    assertThatThrownBy(() -> new Socket("127.0.0.1", Upstreams.closedPort())).isInstanceOf(ConnectException.class);
  }
}
