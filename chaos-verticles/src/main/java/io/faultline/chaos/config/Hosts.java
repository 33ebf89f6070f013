package io.faultline.chaos.config;

/** What a configured bind host says about who can reach it. */
public final class Hosts {

  private Hosts() {
  }

  /**
   * The address others can reach a server bound to {@code host} at: the host itself, or for a wildcard
   * (0.0.0.0, ::) this machine's own address, which is what a node announces to its cluster (every pod of a
   * StatefulSet announced 0.0.0.0:9000).
   */
  public static String announced(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return host;
    }
  }

  /** True when {@code host} is a loopback address only (127.0.0.0/8, ::1, localhost): nothing beyond this machine reaches it. */
  public static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
