package io.faultline.orchestration.hook;

import java.util.Set;

/** What the node allows hooks to do: run commands at all, and which hosts {@code http_request} may call. */
public record Permissions(boolean allowCommands, Set<String> httpAllowList) {

  public Permissions {
    httpAllowList = Set.copyOf(httpAllowList);
  }

  /** Nothing allowed: no commands, no HTTP. */
  public static final Permissions NONE = new Permissions(false, Set.of());
}
