package io.faultline.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.faultline.admin.AdminVerticle;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options and calls shared by the commands that drive a running node over its admin API. */
public class AdminClient {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * For calls that read the history store (up to 100,000 runs, under the node's 30 s bound), as the console waits
   * for them: `history export` on a large store gave up at 10 s while curl got the file.
   */
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(45);

  /**
   * For a run's start, which the node may take up to 15 s over (the cluster's leader parses the file): at 10 s the CLI
   * exited 1 on a bare timeout while the run started, and a retry got 409.
   */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private static Duration timeoutFor(String path) {
    return path.startsWith("/api/history") || path.startsWith("/api/recorder") || path.startsWith("/api/analytics")
        ? STORE_TIMEOUT : path.startsWith("/api/chaos/orchestration/start") ? START_TIMEOUT : DEFAULT_TIMEOUT;
  }

  @Option(names = {"--admin-url", "--base-url"}, paramLabel = "URL", defaultValue = "${env:FAULTLINE_ADMIN_URL:-http://127.0.0.1:9000}",
      description = "Admin API of the node (default ${DEFAULT-VALUE}; env FAULTLINE_ADMIN_URL).")
  String adminUrl;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FAULTLINE_ADMIN_TOKEN}",
      description = "Bearer token, if the node requires one (env FAULTLINE_ADMIN_TOKEN).")
  String token;

  @Option(names = "--cacert", paramLabel = "PEM", defaultValue = "${env:FAULTLINE_ADMIN_CACERT}",
      description = "CA certificate(s) to trust for an https:// admin URL (env FAULTLINE_ADMIN_CACERT); the JVM's trust store otherwise.")
  java.nio.file.Path cacert;

  @Spec
  CommandSpec spec;

  /**
   * {@code value} as one path segment of the admin API (encoded); a blank one is refused as a usage error
   * (exit 2): it would name the collection instead ({@code history show ""} listed every run).
   */
  String segment(String value, String label) {
    if (value == null || value.isBlank()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), label + " must not be empty");
    }
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The HTTP client: the JVM's trust store, or only the CAs of {@code --cacert}. */
  private HttpClient client() throws IOException {
    if (cacert == null) {
      return HttpClient.newHttpClient();
    }
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(cacert)) {
      java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (java.security.cert.Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(context).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot use --cacert " + cacert + ": " + e.getMessage(), e);
    }
  }

  /** The admin API's {@code path}, or null when {@code --admin-url} is no http(s) URL with a host and a usable port. */
  private URI target(String path) {
    if (adminUrl == null) {
      return null;
    }
    try {
      URI uri = new URI(adminUrl.strip().replaceAll("/+$", "") + path);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      boolean usable = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getPort() != 0
          && uri.getPort() <= 65535;
      return usable ? uri : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /** Calls the admin API and prints the answer; returns the exit code (0 for 2xx). */
  int call(String method, String path) {
    return call(method, path, null, timeoutFor(path));
  }

  /** As {@link #call(String, String)}, with a text body. */
  int call(String method, String path, String body) {
    return call(method, path, body, timeoutFor(path));
  }

  /** As {@link #call(String, String)}, with a text body (or null), waiting up to {@code timeout} for the answer. */
  int call(String method, String path, String body, Duration timeout) {
    HttpResponse<String> response = send(method, path, body, timeout);
    if (response == null) {
      return 1;
    }
    spec.commandLine().getOut().println(response.body());
    return 0;
  }

  /**
   * Calls the admin API with an optional text body; answers the 2xx response, or null after printing
   * what went wrong.
   */
  HttpResponse<String> send(String method, String path, String body) {
    return send(method, path, body, timeoutFor(path));
  }

  /** As {@link #send(String, String, String)}, waiting up to {@code timeout} for the answer. */
  HttpResponse<String> send(String method, String path, String body, Duration timeout) {
    Answer answer = exchange(method, path, body, timeout, false);
    if (answer.failure() != null) {
      spec.commandLine().getErr().println(answer.failure());
    }
    return answer.response();
  }

  /** How long {@link #poll} tries again a node that does not answer: a leader failover takes up to its failure timeout. */
  static final long POLL_RETRY_SECONDS = 60;

  /**
   * GETs {@code path} for a command that follows something going on ({@code --follow}): a node that does not answer for a
   * moment (a 502, 503 or 504, a refused or broken connection, a timeout) is asked again each second, for up to
   * {@link #POLL_RETRY_SECONDS}, saying so once. The first such failure ended the command with exit 1 while the run went
   * on: in a cluster, the leader failing over (the very test it followed) answers 503 for a few seconds.
   */
  HttpResponse<String> poll(String path) throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    long deadline = 0;
    boolean said = false;
    while (true) {
      Answer answer = exchange("GET", path, null, timeoutFor(path), true);
      if (answer.response() != null || !answer.passing()) {
        if (answer.failure() != null) {
          err.println(answer.failure());
        }
        return answer.response();
      }
      long now = System.nanoTime();
      if (!said) {
        deadline = now + java.util.concurrent.TimeUnit.SECONDS.toNanos(POLL_RETRY_SECONDS);
        err.println(answer.failure() + "; trying again for up to " + POLL_RETRY_SECONDS + " s");
        err.flush();
        said = true;
      } else if (now > deadline) {
        err.println(answer.failure() + " (tried again for " + POLL_RETRY_SECONDS + " s)");
        return null;
      }
      Thread.sleep(1_000);
    }
  }

  /**
   * An admin API call's outcome: the 2xx response, or what went wrong ({@code failure}, a line for stderr), and whether
   * that may pass if asked again ({@code passing}: a gateway briefly out of reach, not a refusal).
   */
  private record Answer(HttpResponse<String> response, String failure, boolean passing) {
    static Answer failed(String failure, boolean passing) {
      return new Answer(null, failure, passing);
    }
  }

  /**
   * One call. {@code polling}: a {@link #poll}'s, for which a 502, 503 or 504 without the admin header is a proxy in front of
   * the node answering for it (anywhere else it says the URL is no admin API: a traffic port that chaos answers 503 on).
   */
  private Answer exchange(String method, String path, String body, Duration timeout, boolean polling) {
    URI target = target(path);
    if (target == null) {
      // a usage error (exit 2, as a bad flag of serve), not a failed call
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "the admin URL must be http://HOST:PORT or"
          + " https://HOST:PORT, like http://127.0.0.1:9000 (--admin-url, --base-url or FAULTLINE_ADMIN_URL), got "
          + (adminUrl == null || adminUrl.isBlank() ? "nothing" : adminUrl));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(target)
        .timeout(timeout)
        .header("X-Faultline-Source", "cli")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null && !token.isBlank()) {
      if (!io.faultline.admin.AdminConfig.headerSafe(token)) {
        // never echoed: the HTTP client's refusal quoted the header, token and all, in a stack trace (a CI log)
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "the admin token (--token or FAULTLINE_ADMIN_TOKEN)"
            + " must be printable ASCII with no space at either end, as a Bearer header carries it; the one given ("
            + token.length() + " characters) is not (a line ending read from a file with it?)");
      }
      request.header("Authorization", "Bearer " + token);
    }
    HttpClient http;
    try {
      http = client();
    } catch (IOException e) {
      // --cacert unreadable: not to be tried again
      return Answer.failed("faultline: " + (e instanceof java.nio.file.NoSuchFileException ? "--cacert " + cacert + ": no such file"
          : e.getMessage() != null && e.getMessage().startsWith("cannot use --cacert") ? e.getMessage() : "--cacert " + cacert + ": " + e), false);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      boolean unavailable = status == 502 || status == 503 || status == 504;
      if (response.headers().firstValue(AdminVerticle.ADMIN_HEADER).isEmpty() && unavailable && polling) {
        // a proxy in front of the node (an ingress, a load balancer) answering for it while it fails over
        return Answer.failed("faultline: " + method + " " + path + " answered " + status + " from in front of the node (no "
            + AdminVerticle.ADMIN_HEADER + "): " + response.body(), true);
      }
      if (response.headers().firstValue(AdminVerticle.ADMIN_HEADER).isEmpty()) {
        // Something answered, but not a Faultline admin API: a traffic port (the references put their API
        // on :3000, Faultline's traffic port), or another service. Its answer means nothing here.
        return Answer.failed("faultline: " + adminUrl + " is not a Faultline admin API (it answered " + method + " " + path + " with "
            + response.statusCode() + " but without " + AdminVerticle.ADMIN_HEADER + "); the admin API listens on"
            + " 127.0.0.1:9000 by default (serve --admin-port); point --admin-url (--base-url, or FAULTLINE_ADMIN_URL) at it", false);
      }
      if (response.statusCode() / 100 == 2) {
        return new Answer(response, null, false);
      }
      return Answer.failed("faultline: " + method + " " + path + " answered " + status + ": " + response.body(), unavailable);
    } catch (javax.net.ssl.SSLException e) {
      return Answer.failed("faultline: TLS with " + adminUrl + " failed: " + e.getMessage()
          + (cacert == null ? " (a self-signed admin certificate needs --cacert PEM)" : ""), false);
    } catch (ConnectException e) {
      return Answer.failed("faultline: no gateway answers at " + adminUrl
          + " (is `faultline serve` running? --admin-url or --base-url sets the address)", true);
    } catch (IOException e) {
      return Answer.failed("faultline: " + method + " " + adminUrl + path + " failed: " + e, true); // a timeout, a reset
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.failed(null, false);
    }
  }
}
