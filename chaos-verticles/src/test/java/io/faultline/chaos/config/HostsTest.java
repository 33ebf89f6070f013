package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HostsTest {

  /** A node bound to every address announces its own (every pod of a StatefulSet announced 0.0.0.0:9000). */
  @Test
  void aWildcardHostIsAnnouncedAsThisMachinesAddress() throws Exception {
    String announced = Hosts.announced("0.0.0.0");
    assertThat(announced).isNotEqualTo("0.0.0.0").isEqualTo(Hosts.announced("::"));
    boolean elsewhere = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream().anyMatch(nic -> {
      try {
        return nic.isUp() && !nic.isLoopback() && java.util.Collections.list(nic.getInetAddresses()).stream().anyMatch(a -> !a.isLinkLocalAddress());
      } catch (java.net.SocketException e) {
        return false;
      }
    });
    if (elsewhere) { // Debian's 127.0.1.1 for the machine's name is no address another node reaches
      assertThat(InetAddress.getByName(announced.replace("[", "").replace("]", "")).isLoopbackAddress()).as(announced).isFalse();
    }
    assertThat(Hosts.announced("10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(Hosts.announced("127.0.0.1")).isEqualTo("127.0.0.1");
  }
}
