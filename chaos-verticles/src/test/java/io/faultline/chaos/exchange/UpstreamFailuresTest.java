package io.faultline.chaos.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a client is told of an upstream's TLS failure: the reason deep in the JDK's chain, and what to do about it. */
class UpstreamFailuresTest {

  /** The JDK's chain for an upstream whose certificate expired, as the gateway met it (it said only "NotAfter: ..."). */
  @Test
  void anExpiredUpstreamCertificateIsSaidToHaveExpired() {
    CertificateExpiredException expired = new CertificateExpiredException("NotAfter: Sat Feb 01 00:00:00 UTC 2020");
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
    handshake.initCause(new CertPathValidatorException("validity check failed", expired));
    assertThat(UpstreamFailures.shown(new RuntimeException("Failed to create SSL connection", handshake)).getMessage())
        .isEqualTo("TLS with the upstream failed: NotAfter: Sat Feb 01 00:00:00 UTC 2020 (its certificate has expired)");
  }

  @Test
  void anUntrustedUpstreamCertificateSaysHowToTrustIt() {
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(new java.security.cert.CertPathBuilderException("unable to find valid certification path to requested target"));
    assertThat(UpstreamFailures.shown(handshake).getMessage()).contains("add the CA to the JVM's trust store");
  }
}
