package io.faultline.chaos.exchange;

import io.vertx.core.http.StreamResetException;
import java.util.concurrent.TimeoutException;

/**
 * Which of the two upstream failures a listener answers a failed upstream call with: too slow (it did
 * not answer within the route's timeout: Vert.x fails the call with a {@link TimeoutException}) or down
 * (everything else: refused, reset, unresolvable, TLS refused, or not even connected within the connect
 * timeout, which is a failure to reach it).
 */
public final class UpstreamFailures {

  private UpstreamFailures() {
  }

  /**
   * What to tell the client of {@code failure}: a route timeout resets the upstream request, and what it
   * says is in the reset's cause.
   */
  public static Throwable shown(Throwable failure) {
    Throwable shown = failure instanceof StreamResetException && failure.getCause() != null ? failure.getCause() : failure;
    // a refused certificate came as "Failed to create SSL connection": the reason is deeper in the chain
    for (Throwable t = shown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        String hint = String.valueOf(root.getMessage()).contains("certification path") || String.valueOf(root.getMessage()).contains("PKIX")
            ? " (its certificate is not signed by a CA this JVM trusts: add the CA to the JVM's trust store, or set"
              + " tls_trust_all: true on the listener for a test upstream)"
            : root instanceof java.security.cert.CertificateExpiredException ? " (its certificate has expired)"
            : root instanceof java.security.cert.CertificateNotYetValidException ? " (its certificate is not valid yet)" : "";
        return new javax.net.ssl.SSLException("TLS with the upstream failed: " + root.getMessage() + hint, failure);
      }
    }
    return shown;
  }

  public static boolean tooSlow(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
