package io.faultline.orchestration.model;

/**
 * Reference 004's {@code enable_reporting} and {@code report_path}: when both are given, the finished
 * report is also written to the path, relative to the node's state directory (which it may not leave),
 * {@code {{timestamp}}} being the run's start in epoch seconds; the extension picks the format:
 * {@code .html}/{@code .htm} HTML, {@code .xml} JUnit XML, {@code .json} JSON.
 */
public record Reporting(boolean enabled, String path) {

  public static final Reporting NONE = new Reporting(false, null);

  /** Whether a file is written. */
  public boolean writes() {
    return enabled && path != null;
  }

  /** {@code html}, {@code junit} or {@code json}, by the path's extension (null for any other). */
  public static String format(String path) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".html") || lower.endsWith(".htm")) {
      return "html";
    }
    if (lower.endsWith(".xml")) {
      return "junit";
    }
    return lower.endsWith(".json") ? "json" : null;
  }
}
