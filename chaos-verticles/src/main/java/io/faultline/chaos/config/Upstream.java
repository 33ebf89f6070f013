package io.faultline.chaos.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a listener or route forwards to, parsed from a URL ({@code http://host:port/base},
 * {@code https://...}, {@code ws://...}) or a plain {@code host:port} (gRPC style).
 */
public record Upstream(String scheme, String host, int port, String basePath) {

  /** A scheme this parser knows, a colon, and no port after it: a URL missing its {@code //} ({@code http:/host}). */
  private static final java.util.regex.Pattern MISSING_SLASHES =
      java.util.regex.Pattern.compile("(?i)(https?|wss?|grpcs?):(?!\\d+(/|$))");

  public static Upstream parse(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new ChaosConfigException(field, "is required");
    }
    if (!value.contains("://") && MISSING_SLASHES.matcher(value).lookingAt()) {
      // http:/127.0.0.1:8080 was taken as host:port, with "http://" put before it: a host called http, port 80
      throw new ChaosConfigException(field, "names a scheme without the // after it: write "
          + value.substring(0, value.indexOf(':')) + "://host:port, got " + value);
    }
    String text = value.contains("://") ? value : "http://" + value;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ChaosConfigException(field, "is not a valid URL: " + value);
    }
    if (uri.getScheme() == null) { // "/x://y": a relative reference to java.net.URI
      throw new ChaosConfigException(field, "is not a valid URL: " + value);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.matches("https?|wss?|grpcs?")) {
      throw new ChaosConfigException(field, "must be an http, https, ws, wss or grpc URL, got " + value);
    }
    // what the URL says beyond where to go would be dropped without a word: refused, naming it
    if (uri.getRawQuery() != null) {
      throw new ChaosConfigException(field, "must not have a query (?" + uri.getRawQuery() + "): each request's own query is"
          + " passed on, and the upstream URL's would be lost; got " + value);
    }
    if (uri.getRawFragment() != null) {
      throw new ChaosConfigException(field, "must not have a fragment (#" + uri.getRawFragment() + "), got " + value);
    }
    if (uri.getRawUserInfo() != null) {
      throw new ChaosConfigException(field, "must not hold credentials (user:password@): they would not be sent;"
          + " the client's Authorization header is passed on");
    }
    String host = uri.getHost();
    int given = uri.getPort();
    if (host == null && uri.getRawAuthority() != null) {
      // java.net.URI takes no '_' in a host name, which Docker's and Compose's service names often have (my_db:5432)
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z0-9_.-]+)(?::(\\w*))?").matcher(uri.getRawAuthority());
      if (m.matches()) {
        host = m.group(1);
        String port = m.group(2);
        if (port != null && !port.matches("\\d{1,5}")) {
          throw new ChaosConfigException(field, "port must be a number between 1 and 65535, got " + value);
        }
        given = port == null || port.isEmpty() ? -1 : Integer.parseInt(port);
      }
    }
    if (host == null) {
      throw new ChaosConfigException(field, "must name a host, got " + value);
    }
    if (given == 0 || given > 65535) {
      throw new ChaosConfigException(field, "port must be between 1 and 65535, got " + value);
    }
    boolean secure = isSecure(scheme);
    int port = given > 0 ? given : secure ? 443 : 80;
    // a trailing slash is kept, as nginx's proxy_pass keeps it: http://host/app/ asks for /app/ when the client asks for
    // /, which a servlet under /app wants (asked for /app, Tomcat redirected to /app/, and the client was sent to /app/app/)
    String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Upstream(scheme, host, port, path);
  }

  public boolean secure() {
    return isSecure(scheme);
  }

  /** The host as an authority writes it: an IPv6 literal in brackets ({@code Host: ::1:8080} names no host at all). */
  public String authorityHost() {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  /** The {@code Host} this upstream is asked with: its host, and its port unless the scheme's own (as Vert.x's client writes it). */
  public String authority() {
    return port == (secure() ? 443 : 80) || port < 0 ? authorityHost() : authorityHost() + ':' + port;
  }

  /**
   * The request target the upstream is asked for, given the client's: in origin form ({@link #originForm}),
   * under the base path, where the client's {@code /} is the base path itself ({@code http://host/graphql} is
   * asked for {@code /graphql}, not {@code /graphql/}, which servers routing exact paths answer 404; {@code
   * http://host/app/} for {@code /app/}), as nginx's {@code proxy_pass http://host/graphql} does for {@code location /}. Bytes the client sent raw
   * above ASCII (UTF-8 it did not escape) go on as the same bytes, escaped ({@link #bytesEscaped}).
   */
  public String target(String requestTarget) {
    String target = bytesEscaped(originForm(requestTarget));
    if (basePath.isEmpty() || target.equals("*")) {
      return target;
    }
    if (target.equals("/")) {
      return basePath;
    }
    if (target.startsWith("/?") || basePath.endsWith("/")) {
      return basePath + target.substring(1);
    }
    return basePath + target;
  }

  /**
   * The request target as an origin server takes it (RFC 9112 3.2.1): a client may send a proxy the
   * absolute form ({@code http://host/path?query}), whose path and query are what the upstream is asked for.
   */
  public static String originForm(String target) {
    if (target.isEmpty() || target.charAt(0) == '/' || target.equals("*")) {
      return target;
    }
    int scheme = target.indexOf("://");
    if (scheme < 0) {
      return target;
    }
    for (int i = scheme + 3; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '/') {
        return target.substring(i);
      }
      if (c == '?') {
        return "/" + target.substring(i);
      }
    }
    return "/";
  }

  /**
   * {@code target} with each character above ASCII escaped as the byte it stands for. The server reads a
   * request line's bytes one character each (ISO-8859-1), and the client writes its target as UTF-8: a
   * raw {@code café} (bytes C3 A9) reached the upstream as {@code cafÃ©} (C3 83 C2 A9). Escaped, the
   * upstream reads the bytes the client sent, as through nginx. A target all ASCII comes back as it is.
   */
  static String bytesEscaped(String target) {
    int i = 0;
    while (i < target.length() && target.charAt(i) < 0x80) {
      i++;
    }
    if (i == target.length()) {
      return target;
    }
    StringBuilder out = new StringBuilder(target.length() + 16).append(target, 0, i);
    for (; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x80) {
        out.append(c);
      } else if (c <= 0xFF) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      } else {
        for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          out.append('%').append(String.format("%02X", b & 0xFF));
        }
      }
    }
    return out.toString();
  }

  private static boolean isSecure(String scheme) {
    return scheme.equals("https") || scheme.equals("wss") || scheme.equals("grpcs");
  }

  @Override
  public String toString() {
    return scheme + "://" + authorityHost() + ":" + port + basePath;
  }
}
