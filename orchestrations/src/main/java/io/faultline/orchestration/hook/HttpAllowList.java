package io.faultline.orchestration.hook;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which origins {@code http_request} hooks may call: {@code orchestration.http_allow_list}. An entry
 * names a scheme, a host and a port, and allows exactly that:
 * <ul>
 *   <li>{@code http://localhost:8080}, {@code https://hooks.example.com} (the scheme's port, 443): that origin;</li>
 *   <li>{@code localhost:8080}: that host and port over http or https;</li>
 *   <li>{@code hooks.example.com}: that host on the default ports, http on 80 and https on 443.</li>
 * </ul>
 * So allowing {@code http://localhost:8080} does not allow the node's own admin port on localhost.
 */
public final class HttpAllowList {

  private record Origin(String scheme, String host, int port) {

    @Override
    public String toString() {
      return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final List<String> entries;
  private final List<Origin> allowed = new ArrayList<>();

  /** Reads the entries; an entry that names no usable origin throws {@link IllegalArgumentException} saying which and why. */
  public HttpAllowList(Set<String> entries) {
    this.entries = entries.stream().sorted().toList();
    for (String entry : this.entries) {
      allowed.addAll(origins(entry));
    }
  }

  private static List<Origin> origins(String entry) {
    String text = entry == null ? "" : entry.trim();
    boolean bare = !text.contains("://");
    URI uri;
    try {
      uri = new URI(bare ? "http://" + text : text);
    } catch (URISyntaxException e) {
      throw invalid(entry, "not a host, host:port or scheme://host:port");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(entry, "the scheme must be http or https");
    }
    if (uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
        || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
      throw invalid(entry, "write a host, host:port or scheme://host:port, nothing more");
    }
    String host = host(uri);
    if (!bare) {
      return List.of(new Origin(scheme, host, port(scheme, uri.getPort())));
    }
    return List.of(new Origin("http", host, uri.getPort() < 0 ? 80 : uri.getPort()),
        new Origin("https", host, uri.getPort() < 0 ? 443 : uri.getPort()));
  }

  private static IllegalArgumentException invalid(String entry, String why) {
    return new IllegalArgumentException("orchestration.http_allow_list: " + why + ", got \"" + entry + "\"");
  }

  private static String host(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(String scheme, int port) {
    return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
  }

  /** Null when {@code uri} may be called, else why not. */
  public String refusal(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !scheme.equals("http") && !scheme.equals("https")) {
      return "only http and https URLs with a host can be allowed";
    }
    Origin origin = new Origin(scheme, host(uri), port(scheme, uri.getPort()));
    if (allowed.contains(origin)) {
      return null;
    }
    return origin + " is not in orchestration.http_allow_list " + entries
        + " (entries match scheme, host and port: http://host:8080, host:8080, or a bare host for ports 80 and 443)";
  }
}
