package io.faultline.orchestration.hook;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Which hosts {@code http_request} hooks may call: {@code orchestration.http_allow_list}. */
public final class HttpAllowList {

  private final Set<String> hosts;

  public HttpAllowList(Set<String> entries) {
    this.hosts = entries.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /** Null when {@code uri} may be called, else why not. */
  public String refusal(URI uri) {
    if (uri.getHost() != null && hosts.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
      return null;
    }
    return "the host is not in orchestration.http_allow_list " + hosts.stream().sorted().toList();
  }
}
