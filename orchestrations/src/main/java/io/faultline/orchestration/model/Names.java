package io.faultline.orchestration.model;

import io.faultline.chaos.config.ChaosConfigException;
import java.nio.file.Path;

/**
 * Names that become file names (report ids, library entries, run ids in checkpoints): 1-64 letters,
 * digits, {@code _}, {@code -} or {@code .}, not starting with a dot; and the check that a file made from
 * one stays inside its directory. Anything from the event bus (a peer, a script on the bridge) passes
 * here before it touches the disk.
 */
public final class Names {

  private static final String PATTERN = "[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}";

  private Names() {
  }

  public static boolean valid(String name) {
    return name != null && name.matches(PATTERN);
  }

  /** {@code name} as given, or an error naming {@code field} and the value. */
  public static String check(String name, String field) {
    if (!valid(name)) {
      throw new ChaosConfigException(field, "must be 1-64 letters, digits, '_', '-' or '.' (not starting with '.'), got "
          + (name == null ? "nothing" : name.length() > 80 ? name.substring(0, 80) + "..." : name));
    }
    return name;
  }

  /**
   * A usable name made from {@code text} (an orchestration's name, which may hold spaces): each run of
   * other characters becomes {@code _}, leading dots go, at most 64 characters; null if nothing is left.
   */
  public static String from(String text) {
    String name = text == null ? "" : text.trim().replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^[._]+", "");
    name = name.length() > 64 ? name.substring(0, 64) : name;
    return valid(name) ? name : null;
  }

  /** {@code dir/relative}, refused (naming {@code field}) unless it stays inside {@code dir} once resolved. */
  public static Path inside(Path dir, String relative, String field) {
    Path base = dir.toAbsolutePath().normalize();
    Path resolved = base.resolve(relative).normalize();
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw new ChaosConfigException(field, "must stay inside " + base + ", got " + relative);
    }
    return resolved;
  }
}
