package io.faultline.chaos.listener;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.TlsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.logging.Logger;

/**
 * TLS termination for a server from a {@link TlsConfig}: PEM certificate and key, ALPN (so HTTP/2 and
 * gRPC negotiate h2), client certificates when asked, and a watch that reloads the files when they change.
 */
public final class ServerTls {

  /** How often the certificate files are checked for a change. */
  public static final long WATCH_INTERVAL_MS = 1_000;

  private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());
  /** The files' fingerprint each owner last said something about (its instances each watch their own server). */
  private static final java.util.Map<String, Long> TOLD = new java.util.concurrent.ConcurrentHashMap<>();

  private ServerTls() {
  }

  /**
   * An HTTP server with {@code options}, terminating TLS when {@code tls} is set, its certificate files
   * watched for as long as the calling verticle is deployed (Vert.x cancels a verticle's timers when it
   * is undeployed).
   */
  public static HttpServer createHttpServer(Vertx vertx, String owner, TlsConfig tls, io.vertx.core.http.HttpServerOptions options) {
    HttpServer server = vertx.createHttpServer(apply(options, tls));
    watch(vertx, server, tls, owner);
    return server;
  }

  /** Turns TLS on in {@code options} (an HTTP or TCP server's) when {@code tls} is set; answers the options. */
  public static <T extends NetServerOptions> T apply(T options, TlsConfig tls) {
    if (tls == null) {
      return options;
    }
    options.setSsl(true).setUseAlpn(true).setKeyCertOptions(keyCert(tls)).setClientAuth(clientAuth(tls));
    if (tls.clientCaFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile()));
    }
    return options;
  }

  /**
   * Watches the files of {@code tls} (when set) and, when one changes, gives {@code server} the new
   * certificate for the connections it accepts from then on. Answers the timer id (-1 when there is
   * nothing to watch), for the verticle to cancel when it stops. The files are read and checked on a
   * worker thread, never on the event loop that serves the listener's connections; one check at a time.
   */
  public static long watch(Vertx vertx, HttpServer server, TlsConfig tls, String owner) {
    if (tls == null) {
      return -1;
    }
    java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong(fingerprint(tls));
    boolean[] checking = {false};
    return vertx.setPeriodic(WATCH_INTERVAL_MS, id -> {
      if (checking[0]) {
        return;
      }
      checking[0] = true;
      vertx.executeBlocking(() -> changed(vertx, tls, owner, seen), false).onComplete(checked -> {
        checking[0] = false;
        if (checked.succeeded() && checked.result() != null) {
          Checked files = checked.result();
          server.updateSSLOptions(sslOptions(tls, files.pem()), true)
              .onSuccess(v -> {
                if (files.tell()) {
                  LOG.info(() -> owner + " reloaded its TLS certificate " + tls.certFile());
                }
              })
              .onFailure(e -> LOG.warning(() -> owner + " kept its previous TLS certificate: " + tls.certFile() + " could not be loaded: "
                  + e.getMessage()));
        }
      });
    });
  }

  /** Files read and checked on a reload, and whether this instance is the one to say so. */
  private record Checked(Pem pem, boolean tell) {
  }

  /**
   * On a worker: null when the files are as {@code seen} last saw them or no longer make a usable
   * certificate (said in the log), else what they hold, checked: the server is given those bytes, not the
   * files read once more (a key rewritten between the check and a second read would serve unchecked).
   */
  private static Checked changed(Vertx vertx, TlsConfig tls, String owner, java.util.concurrent.atomic.AtomicLong seen) {
    long now = fingerprint(tls);
    if (now == seen.getAndSet(now)) {
      return null;
    }
    // each event-loop instance of a listener watches its own server: what they found is said once
    boolean tell = !Long.valueOf(now).equals(TOLD.put(owner + " " + tls.certFile(), now));
    Pem pem;
    try {
      pem = Pem.read(tls);
      verify(vertx, tls, pem);
    } catch (ChaosConfigException e) {
      if (tell) {
        LOG.warning(() -> owner + " kept its previous TLS certificate: " + e.field() + ": " + e.getMessage());
      }
      return null;
    }
    if (tell) {
      expiry(tls, pem).ifPresent(problem -> LOG.warning(() -> owner + ": " + problem));
    }
    return new Checked(pem, tell);
  }

  /** The text of a {@link TlsConfig}'s files, read once: what is checked is what is served. */
  private record Pem(String cert, String key, String clientCa) {
    static Pem read(TlsConfig tls) {
      return new Pem(text(tls.certFile(), "tls.cert_file"), text(tls.keyFile(), "tls.key_file"),
          tls.clientCaFile() == null ? null : text(tls.clientCaFile(), "tls.client_ca_file"));
    }

    PemKeyCertOptions keyCert() {
      return new PemKeyCertOptions().setCertValue(buffer(cert)).setKeyValue(buffer(key));
    }

    static io.vertx.core.buffer.Buffer buffer(String text) {
      return io.vertx.core.buffer.Buffer.buffer(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
  }

  private static ServerSSLOptions sslOptions(TlsConfig tls, Pem pem) {
    ServerSSLOptions next = new ServerSSLOptions().setKeyCertOptions(pem.keyCert()).setClientAuth(clientAuth(tls)).setUseAlpn(true);
    if (pem.clientCa() != null) {
      next.setTrustOptions(new PemTrustOptions().addCertValue(Pem.buffer(pem.clientCa())));
    }
    return next;
  }

  /**
   * Loads the certificate chain and key of {@code tls} as a server will, and checks that the key is the
   * certificate's (a signature made with one verifies with the other): a server given another key would
   * start, and then fail every handshake. The {@link ChaosConfigException} names the file at fault.
   */
  public static void verify(Vertx vertx, TlsConfig tls) {
    verify(vertx, tls, Pem.read(tls));
  }

  private static void verify(Vertx vertx, TlsConfig tls, Pem pem) {
    certificates(pem.cert(), tls.certFile(), "tls.cert_file", "the server's certificate chain");
    if (pem.clientCa() != null) {
      certificates(pem.clientCa(), tls.clientCaFile(), "tls.client_ca_file", "the CA certificates client certificates must chain to");
    }
    String keyText = pem.key();
    if (keyText.contains("ENCRYPTED")) {
      throw new ChaosConfigException("tls.key_file", tls.keyFile() + " holds an encrypted private key, which needs a password"
          + " Faultline does not take: write it out unencrypted (openssl pkey -in " + tls.keyFile() + " -out KEY.pem) and keep that file private");
    }
    if (!keyText.matches("(?s).*-----BEGIN (RSA |EC )?PRIVATE KEY-----.*")) {
      throw new ChaosConfigException("tls.key_file", tls.keyFile() + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    javax.net.ssl.X509KeyManager keys;
    try {
      // the key manager a server's handshakes use, read through Vert.x's public API (no key store password to know)
      keys = java.util.Arrays.stream(pem.keyCert().getKeyManagerFactory(vertx).getKeyManagers())
          .filter(javax.net.ssl.X509KeyManager.class::isInstance).map(javax.net.ssl.X509KeyManager.class::cast).findFirst()
          .orElseThrow(() -> new IllegalStateException("no X.509 key manager"));
    } catch (Exception e) {
      // the certificate was read above: what fails now is the key, or the two together
      String why = String.valueOf(e.getMessage());
      throw new ChaosConfigException("tls.key_file", why.contains("algorithm does not match")
          ? tls.keyFile() + " is not the private key of the certificate in " + tls.certFile() + " (" + why + ")"
          : "cannot load " + tls.keyFile() + " as the private key of " + tls.certFile() + ": " + why);
    }
    try {
      for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519", "Ed448", "RSASSA-PSS")) {
        String[] aliases = keys.getServerAliases(type, null);
        for (String alias : aliases == null ? new String[0] : aliases) {
          java.security.PrivateKey key = keys.getPrivateKey(alias);
          java.security.cert.X509Certificate[] chain = keys.getCertificateChain(alias);
          if (key != null && chain != null && chain.length > 0 && !pair(key, chain[0].getPublicKey())) {
            throw new ChaosConfigException("tls.key_file", tls.keyFile() + " is not the private key of the certificate in " + tls.certFile());
          }
        }
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new ChaosConfigException("tls.key_file", "cannot use the key in " + tls.keyFile() + ": " + e.getMessage());
    }
  }

  /**
   * The X.509 certificates of a PEM file, first the server's own; none, or what is not one, is refused naming
   * {@code field}. Other blocks are passed over, so one file may hold the certificate and its key, as nginx
   * and HAProxy take it (read whole, the key after the certificate failed with "signed fields invalid").
   */
  private static List<java.security.cert.X509Certificate> certificates(String pem, String file, String field, String what) {
    java.util.regex.Matcher blocks = CERTIFICATE_BLOCK.matcher(pem);
    StringBuilder only = new StringBuilder();
    while (blocks.find()) {
      only.append(blocks.group()).append('\n');
    }
    if (only.length() == 0) {
      throw new ChaosConfigException(field, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----): it must be "
          + what + (pem.contains("PRIVATE KEY-----") ? ", and holds a private key instead" : ""));
    }
    try {
      List<java.security.cert.X509Certificate> read = new java.util.ArrayList<>();
      for (java.security.cert.Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(only.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))) {
        read.add((java.security.cert.X509Certificate) certificate);
      }
      return read;
    } catch (java.security.cert.CertificateException | ClassCastException e) {
      throw new ChaosConfigException(field, "cannot read " + file + " as PEM certificates (" + what + "): " + e.getMessage());
    }
  }

  private static final java.util.regex.Pattern CERTIFICATE_BLOCK =
      java.util.regex.Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", java.util.regex.Pattern.DOTALL);

  /**
   * What is wrong with the dates of the server's certificate in {@code tls}, if anything: expired, or not
   * valid yet. Not refused (nginx starts with one too, and a renewed file is taken on reload), but said at
   * start and on reload, naming the date: clients would otherwise only see every handshake fail.
   */
  public static java.util.Optional<String> expiry(TlsConfig tls) {
    try {
      return expiry(tls, Pem.read(tls));
    } catch (ChaosConfigException e) {
      return java.util.Optional.empty(); // refused where it is verified
    }
  }

  private static java.util.Optional<String> expiry(TlsConfig tls, Pem pem) {
    java.security.cert.X509Certificate served;
    try {
      served = certificates(pem.cert(), tls.certFile(), "tls.cert_file", "the server's certificate chain").get(0);
    } catch (ChaosConfigException e) {
      return java.util.Optional.empty(); // refused where it is verified
    }
    java.util.Date now = new java.util.Date();
    if (now.after(served.getNotAfter())) {
      return java.util.Optional.of("the TLS certificate in " + tls.certFile() + " expired on " + served.getNotAfter().toInstant()
          + ": clients refuse every handshake until it is renewed (the file is read again when it changes)");
    }
    if (now.before(served.getNotBefore())) {
      return java.util.Optional.of("the TLS certificate in " + tls.certFile() + " is not valid until " + served.getNotBefore().toInstant()
          + ": clients refuse every handshake until then");
    }
    return java.util.Optional.empty();
  }

  private static String text(String file, String field) {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(file), java.nio.charset.StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new ChaosConfigException(field, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies (true for a kind of key this cannot test: the handshake will). */
  private static boolean pair(java.security.PrivateKey key, java.security.PublicKey publicKey) throws java.security.GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    byte[] probe = "faultline".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.security.Signature signer = java.security.Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(probe);
    return verifier.verify(signature);
  }

  private static PemKeyCertOptions keyCert(TlsConfig tls) {
    return new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile());
  }

  private static ClientAuth clientAuth(TlsConfig tls) {
    return switch (tls.clientAuth()) {
      case "required" -> ClientAuth.REQUIRED;
      case "optional" -> ClientAuth.REQUEST;
      default -> ClientAuth.NONE;
    };
  }

  /** Changes when any of the files is rewritten ({@link io.faultline.chaos.config.FileFingerprint}: by content). */
  private static long fingerprint(TlsConfig tls) {
    return io.faultline.chaos.config.FileFingerprint.of(tls.certFile(), tls.keyFile(), tls.clientCaFile());
  }
}
