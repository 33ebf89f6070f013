package io.faultline.chaos.listener;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.Future;

/**
 * A server that cannot listen says which server, which address and why, naming the config field to
 * change ({@code admin.port}, {@code listeners[0].host}), instead of Netty's
 * {@code bind(..) failed with error(-98)}.
 */
public final class BindFailures {

  private BindFailures() {
  }

  /**
   * {@code listening}, its bind failure named after {@code section} ({@code admin}: {@code admin.port},
   * {@code admin.host}; an empty section: {@code port}, {@code host}).
   */
  public static <T> Future<T> named(Future<T> listening, String section, String host, int port) {
    return listening.recover(error -> Future.failedFuture(named(error, section, host, port)));
  }

  /** {@code error} as a {@link ChaosConfigException} naming the field at fault when it is a bind failure; otherwise itself. */
  public static Throwable named(Throwable error, String section, String host, int port) {
    String prefix = section.isEmpty() ? "" : section + ".";
    String where = "cannot listen on " + host + ":" + port + ": ";
    for (Throwable e = error; e != null; e = e.getCause()) {
      String text = String.valueOf(e.getMessage());
      if (text.contains("Address already in use")) {
        return new ChaosConfigException(prefix + "port", where + "the address is already in use (another program, or another Faultline, holds it)");
      }
      if (text.contains("Permission denied")) {
        return new ChaosConfigException(prefix + "port", where + "permission denied (ports below 1024 need privileges)");
      }
      if (text.contains("Cannot assign requested address")) {
        return new ChaosConfigException(prefix + "host", where + "this machine has no such address");
      }
      if (e instanceof java.net.UnknownHostException || text.contains("Failed to resolve")) {
        return new ChaosConfigException(prefix + "host", where + "the host does not resolve");
      }
    }
    return error;
  }
}
