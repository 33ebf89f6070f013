package io.faultline.chaos.config;

/** What a configured bind host says about who can reach it. */
public final class Hosts {

  private Hosts() {
  }

  /**
   * The address others can reach a server bound to {@code host} at: the host itself, or for a wildcard
   * (0.0.0.0, ::) this machine's own address (not a loopback one, when it has another; IPv6 in brackets), which is what a node announces to its cluster (every pod of a
   * StatefulSet announced 0.0.0.0:9000).
   */
  public static String announced(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
      return host;
    }
    try {
      java.net.InetAddress local = java.net.InetAddress.getLocalHost();
      if (!local.isLoopbackAddress()) {
        return literal(local);
      }
      // Debian and Ubuntu map the machine's name to 127.0.1.1: an interface's own address, IPv4 first
      java.net.InetAddress found = null;
      for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
          if (address.isLinkLocalAddress()) {
            continue;
          }
          if (address instanceof java.net.Inet4Address) {
            return address.getHostAddress();
          }
          found = found == null ? address : found;
        }
      }
      return literal(found != null ? found : local);
    } catch (java.io.IOException e) {
      return host;
    }
  }

  /** The address as it goes before a port: an IPv6 one in brackets. */
  private static String literal(java.net.InetAddress address) {
    String text = address.getHostAddress();
    int zone = text.indexOf('%');
    text = zone >= 0 ? text.substring(0, zone) : text;
    return address instanceof java.net.Inet6Address ? "[" + text + "]" : text;
  }

  /** An IPv4 address in 127.0.0.0/8, written as one (a name such as 127.example.com is anywhere). */
  private static final java.util.regex.Pattern IPV4_LOOPBACK = java.util.regex.Pattern.compile("127(\\.[0-9]{1,3}){3}");

  /**
   * True when {@code host} is a loopback address only (127.0.0.0/8, ::1, localhost): nothing beyond this machine reaches it.
   * Read as a resolver reads it, whatever its case, with or without a final dot or brackets: {@code LOCALHOST} bound to
   * loopback but was taken for beyond it, which switched the admin API's loopback Host-name check off.
   */
  public static boolean loopback(String host) {
    String h = host.trim().toLowerCase(java.util.Locale.ROOT);
    h = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }
}
