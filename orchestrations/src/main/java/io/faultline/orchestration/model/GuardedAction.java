package io.faultline.orchestration.model;

/**
 * A hook action the node may not allow: a {@code command} (off unless {@code orchestration.allow_commands})
 * or an {@code http_request} ({@code orchestration.http_allow_list}); its path and line, type, and the
 * command or URL as written.
 */
public record GuardedAction(String path, int line, String type, String target) {
}
