package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HostsTest {

  /** A node bound to every address announces its own (every pod of a StatefulSet announced 0.0.0.0:9000). */
  @Test
  void aWildcardHostIsAnnouncedAsThisMachinesAddress() throws Exception {
    String own = InetAddress.getLocalHost().getHostAddress();
    assertThat(Hosts.announced("0.0.0.0")).isEqualTo(own).isNotEqualTo("0.0.0.0");
    assertThat(Hosts.announced("::")).isEqualTo(own);
    assertThat(Hosts.announced("10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(Hosts.announced("127.0.0.1")).isEqualTo("127.0.0.1");
  }
}
