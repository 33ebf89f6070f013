package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real servers that cannot listen, on both transports, and what they are reported as. */
class BindFailuresTest {

  private final Vertx epoll = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  private final Vertx nio = Vertx.vertx();

  @AfterEach
  void stop() {
    epoll.close().await();
    nio.close().await();
  }

  private static void listen(Vertx vertx, String section, String host, int port) {
    BindFailures.named(vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)).requestHandler(r -> r.response().end())
        .listen(), section, host, port).await();
  }

  @Test
  void aPortAnotherProgramHoldsNamesThePortField() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      for (Vertx vertx : new Vertx[] {epoll, nio}) {
        assertThatThrownBy(() -> listen(vertx, "admin", "127.0.0.1", held.getLocalPort()))
            .isInstanceOfSatisfying(ChaosConfigException.class, e -> {
              assertThat(e.field()).isEqualTo("admin.port");
              assertThat(e.getMessage()).isEqualTo("cannot listen on 127.0.0.1:" + held.getLocalPort()
                  + ": the address is already in use (another program, or another Faultline, holds it)");
            });
      }
    }
  }

  @Test
  void anAddressThisMachineDoesNotHaveNamesTheHostField() {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it
    for (Vertx vertx : new Vertx[] {epoll, nio}) {
      assertThatThrownBy(() -> listen(vertx, "listeners[1]", "192.0.2.1", 0))
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> {
            assertThat(e.field()).isEqualTo("listeners[1].host");
            assertThat(e.getMessage()).isEqualTo("cannot listen on 192.0.2.1:0: this machine has no such address");
          });
    }
  }

  @Test
  void aFailureThatIsNotTheAddressStaysWhatItWas() {
    IllegalStateException other = new IllegalStateException("something else");
    assertThat(BindFailures.named(other, "admin", "127.0.0.1", 9000)).isSameAs(other);
  }
}
