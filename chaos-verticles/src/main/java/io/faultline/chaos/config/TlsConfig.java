package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * TLS termination on a listener or the admin port: the server's certificate chain and private key in
 * PEM ({@code cert_file}, {@code key_file}), and optionally the certificate authorities whose client
 * certificates it accepts ({@code client_ca_file}), with {@code client_auth} {@code required} (the
 * default when a CA is given: a client without a valid certificate is refused during the handshake),
 * {@code optional} or {@code none}. The files are read again when they change, so a renewed certificate
 * takes effect for new connections without a restart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TlsConfig(String certFile, String keyFile, String clientCaFile, String clientAuth) {

  public static final List<String> CLIENT_AUTH = List.of("none", "optional", "required");

  public TlsConfig {
    readable(certFile, "cert_file");
    readable(keyFile, "key_file");
    if (clientCaFile != null) {
      readable(clientCaFile, "client_ca_file");
    }
    clientAuth = clientAuth == null ? (clientCaFile == null ? "none" : "required") : clientAuth.toLowerCase(Locale.ROOT);
    if (!CLIENT_AUTH.contains(clientAuth)) {
      throw new ChaosConfigException("client_auth", "must be one of " + CLIENT_AUTH + ", got " + clientAuth);
    }
    if (!clientAuth.equals("none") && clientCaFile == null) {
      throw new ChaosConfigException("client_auth", clientAuth + " needs client_ca_file: the CA certificates (PEM) client certificates must chain to");
    }
  }

  private static void readable(String file, String field) {
    if (file == null || file.isBlank()) {
      throw new ChaosConfigException(field, "is required (a PEM file)");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new ChaosConfigException(field, "no readable file at " + file);
    }
  }
}
