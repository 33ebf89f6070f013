package io.faultline.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import org.junit.jupiter.api.Test;

class AdminConfigTest {

  @Test
  void defaultsToLoopbackPort9000WithoutToken() {
    AdminConfig config = AdminConfig.defaults();
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(9000);
    assertThat(config.token()).isNull();
    assertThat(config.loopback()).isTrue();
  }

  @Test
  void loopbackIsOnlyTheLocalMachine() {
    assertThat(new AdminConfig("localhost", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("127.0.0.2", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("::1", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("0.0.0.0", 0, null).loopback()).isFalse();
    assertThat(new AdminConfig("10.0.0.5", 0, null).loopback()).isFalse();
    // as a resolver reads them: in capitals, with a final dot, bracketed or written out
    assertThat(new AdminConfig("LOCALHOST", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("localhost.", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("[::1]", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("0:0:0:0:0:0:0:1", 0, null).loopback()).isTrue();
    assertThat(new AdminConfig("localhost.example.com", 0, null).loopback()).isFalse();
    assertThat(new AdminConfig("127.example.com", 0, null).loopback()).isFalse();
    assertThatThrownBy(() -> new AdminConfig(" ", 0, null))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("host"));
  }

  /** HTTP trims a header's spaces and reads its bytes, not UTF-8: such a token never matched, and every request got 401. */
  @Test
  void aTokenNoBearerHeaderCouldCarryIsRefusedNamingTheField() {
    for (String token : new String[] {"s3cret ", " s3cret", "clé", "tab\there"}) {
      assertThatThrownBy(() -> new AdminConfig(null, null, token)).as(token)
          .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("token"));
    }
    assertThat(new AdminConfig(null, null, "Zx9-._~+/=").token()).isEqualTo("Zx9-._~+/=");
    assertThat(new AdminConfig(null, null, "two words").token()).as("a space inside goes in a header as it is").isEqualTo("two words");
  }

  @Test
  void aBlankTokenIsRefusedNamingTheField() {
    assertThatThrownBy(() -> new AdminConfig(null, null, " \t "))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("token"));
    assertThatThrownBy(() -> new AdminConfig(null, 70_000, null)).hasMessageContaining("70000");
  }
}
