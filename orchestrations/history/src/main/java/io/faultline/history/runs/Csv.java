package io.faultline.history.runs;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Runs as RFC 4180 CSV that a spreadsheet opens as it is: a header row, one row per run, CRLF line
 * ends, fields quoted when they hold a comma, quote or line break. Text that a spreadsheet would run as
 * a formula ({@code = + - @}, or a tab or carriage return before one, first) gets a leading apostrophe, and so
 * does each of a run's tags (joined by {@code ;}); a field with {@code ;} is quoted too, for spreadsheets
 * that split on it.
 */
public final class Csv {

  static final List<String> COLUMNS = List.of("id", "name", "status", "mode", "node", "started_at", "ended_at", "duration_ms",
      "resilience_score", "request_count", "error_count", "error_rate", "avg_latency_ms", "p95_latency_ms", "tags");

  private Csv() {
  }

  static String runs(List<JsonObject> rows) {
    StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
    for (JsonObject r : rows) {
      long started = r.getLong("started_at", 0L);
      long ended = r.getLong("ended_at", 0L);
      List<Object> cells = List.of(text(r.getString("id")), text(r.getString("name")), text(r.getString("status")),
          text(r.getString("mode")), text(r.getString("node")), Instant.ofEpochMilli(started).toString(),
          Instant.ofEpochMilli(ended).toString(), ended - started, number(r.getValue("resilience_score")),
          number(r.getValue("request_count")), number(r.getValue("error_count")), number(r.getValue("error_rate")),
          number(r.getValue("avg_latency")), number(r.getValue("p95_latency")),
          // each tag made inert: a spreadsheet set to split on ';' (Excel in many locales) reads each as a cell
          // a ';' or '\' in a tag is escaped with '\', so the cell reads back as the tags it was made of
          quoted(String.join(";", r.getJsonArray("tags").stream()
              .map(t -> inert(String.valueOf(t).replace("\\", "\\\\").replace(";", "\\;"))).toList())));
      for (int i = 0; i < cells.size(); i++) {
        out.append(i == 0 ? "" : ",").append(cells.get(i));
      }
      out.append("\r\n");
    }
    return out.toString();
  }

  private static String number(Object v) {
    return v == null ? "" : v.toString();
  }

  static String text(String s) {
    if (s == null) {
      return "";
    }
    return quoted(inert(s));
  }

  private static String inert(String s) {
    String first = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    // and after each ';' in it: a spreadsheet that splits on ';' and ignores quotes reads what follows as a cell of its own
    // (a tag "x;=HYPERLINK(...)" gave a cell "=HYPERLINK(...)")
    return first.indexOf(';') < 0 ? first : FORMULA_AFTER_SEMICOLON.matcher(first).replaceAll(";'");
  }

  private static String quoted(String s) {
    return NEEDS_QUOTES.matcher(s).find() ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Compiled once: an export makes a few of these a run, up to 100,000 runs. */
  private static final java.util.regex.Pattern FORMULA_AFTER_SEMICOLON = java.util.regex.Pattern.compile(";(?=[=+\\-@\t\r])");
  private static final java.util.regex.Pattern NEEDS_QUOTES = java.util.regex.Pattern.compile("[,;\"\r\n]");
}
