package io.faultline.chaos.config;

/** What a configured bind host says about who can reach it. */
public final class Hosts {

  private Hosts() {
  }

  /** True when {@code host} is a loopback address only (127.0.0.0/8, ::1, localhost): nothing beyond this machine reaches it. */
  public static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
