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

  /**
   * What the node keeps in its state directory itself: saved scenarios, the library, the history and
   * recorder databases, the markers of runs in progress ({@code runs-open/}: one that is no marker kept the
   * runs a kill interrupted out of history), and its own reports as {@code reports/ID.json} (reference 004 writes its HTML report
   * beside them, {@code ./reports/load-test-{{timestamp}}.html}). A report written over one of them loses it,
   * and a node that cannot read a file back does not start, or leaves the entry out.
   */
  private static final java.util.List<String> NODE_OWN = java.util.List.of("scenarios", "library", "history.db", "recorder.db", "runs-open");

  /**
   * The directories of the state directory the node writes in itself: the library's, its reports' and the
   * markers of runs in progress. One list for every writer that must keep out of them (the library's export);
   * a report may go beside the reports (not as a {@code .json}), so {@link #nodeOwn} treats {@code reports} apart.
   */
  public static final java.util.List<String> OWN_DIRECTORIES = java.util.List.of("library", "reports", "runs-open");

  /** Why the relative {@code path} may not take a report (it is one of the node's own files), or null. */
  public static String nodeOwn(java.nio.file.Path path) {
    java.nio.file.Path normal = path.normalize();
    String first = normal.getNameCount() == 0 ? "" : normal.getName(0).toString().toLowerCase(java.util.Locale.ROOT);
    for (String own : NODE_OWN) {
      if (first.equals(own) || first.startsWith(own + ".") || first.startsWith(own + "-")) {
        return "must not be in or over the node's own " + own + " (its state directory keeps scenarios.json, library/, reports/,"
            + " runs-open/ and the databases): choose another name or directory, got " + path;
      }
    }
    if (first.equals("reports") && "json".equals(format(normal.toString()))) {
      return "must not be a .json file in reports/, where the node keeps its own reports (an .html or .xml report may go"
          + " there): choose another name or directory, got " + path;
    }
    return null;
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
