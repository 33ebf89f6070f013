package io.faultline.chaos.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made by a test, written as PEM files: a CA, and server and client certificates it signs
 * (the server's valid for {@code localhost} and {@code 127.0.0.1}). Each call makes new keys, so a test
 * can tell one certificate from another by its serial number.
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A certificate and its key as PEM files, and the certificate itself. */
  public record Pem(Path cert, Path key, X509Certificate certificate) {
  }

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final Path caFile;

  /** A new CA named {@code name}, its files in {@code dir}. */
  public TestCertificates(Path dir, String name) {
    this.dir = dir;
    try {
      caKeys = keys();
      X500Name subject = new X500Name("CN=" + name);
      JcaX509v3CertificateBuilder builder = builder(subject, subject, caKeys);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca = sign(builder, caKeys);
      caFile = write(name + "-ca.pem", ca);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA certificate (PEM), for clients to trust or servers to check client certificates against. */
  public Path caFile() {
    return caFile;
  }

  public X509Certificate ca() {
    return ca;
  }

  /** A server certificate for localhost and 127.0.0.1, files named after {@code name}. */
  public Pem server(String name) {
    return issue(name, true);
  }

  /** A server certificate as {@link #server}, but one that expired yesterday. */
  public Pem expiredServer(String name) {
    Instant now = Instant.now();
    return issue(name, true, now.minus(3, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
  }

  /** A client certificate with common name {@code name}. */
  public Pem client(String name) {
    return issue(name, false);
  }

  private Pem issue(String name, boolean server) {
    Instant now = Instant.now();
    return issue(name, server, now.minus(1, ChronoUnit.HOURS), now.plus(2, ChronoUnit.DAYS));
  }

  private Pem issue(String name, boolean server, Instant notBefore, Instant notAfter) {
    try {
      KeyPair keys = keys();
      JcaX509v3CertificateBuilder builder = builder(new X500Name(ca.getSubjectX500Principal().getName()), new X500Name("CN=" + name), keys,
          notBefore, notAfter);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (server) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      }
      X509Certificate certificate = sign(builder, caKeys);
      Path cert = write(name + "-cert.pem", certificate);
      Path key = write(name + "-key.pem", new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      return new Pem(cert, key, certificate);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return builder(issuer, subject, keys, now.minus(1, ChronoUnit.HOURS), now.plus(2, ChronoUnit.DAYS));
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
    try {
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private Path write(String file, Object pem) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(pem);
    }
    Path path = dir.resolve(file);
    try {
      Files.writeString(path, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path;
  }

  /** The serial of the certificate the server at {@code port} presents to a new TLS connection (it must chain to this CA). */
  public java.math.BigInteger servedSerial(int port) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca());
    var factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    var context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    try (var socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
