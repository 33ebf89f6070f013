package io.faultline.orchestration.report;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.StateFiles;
import io.faultline.orchestration.model.Names;
import io.faultline.orchestration.model.Reporting;
import io.faultline.orchestration.parse.Templates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * Writes a finished report where its orchestration's {@code report_path} says (reference 004's
 * {@code enable_reporting}): inside the node's state directory, {@code {{timestamp}}} the run's start in
 * epoch seconds and {@code ${variables.x}} its final variables, in the format of the extension.
 */
public final class ReportFile {

  private ReportFile() {
  }

  /** The report, with {@code report_file} set when it was written, or an error saying why not. */
  public static Future<RunReport> write(Vertx vertx, Path stateDir, Reporting reporting, RunReport report) {
    if (!reporting.writes()) {
      return Future.succeededFuture(report);
    }
    if (stateDir == null) {
      return Future.succeededFuture(report.withError("report_path " + reporting.path()
          + " not written: the node has no state directory (--state-dir), where report files go"));
    }
    String relative = String.valueOf(Templates.fill(reporting.path().replace("{{timestamp}}", Long.toString(report.startedAt() / 1000)),
        name -> report.variables().getValue(name), false, text -> text));
    Path file;
    try {
      file = Names.inside(stateDir, relative, "report_path");
      // checked again once filled in: a variable may have made it one of the node's own
      String own = Reporting.nodeOwn(stateDir.toAbsolutePath().normalize().relativize(file));
      if (own != null) {
        throw new ChaosConfigException("report_path", own);
      }
    } catch (ChaosConfigException e) {
      return Future.succeededFuture(report.withError("report_path not written: " + e.getMessage()));
    }
    String format = Reporting.format(relative);
    RunReport written = report.withReportFile(stateDir.toAbsolutePath().normalize().relativize(file).toString());
    String body = "html".equals(format) ? ReportFormats.html(written) : "junit".equals(format) ? ReportFormats.junit(written)
        : written.toJson().encodePrettily();
    Path target = file;
    return vertx.<Void>executeBlocking(() -> {
      StateFiles.replace(resolved(stateDir, target), temporary -> java.nio.file.Files.writeString(temporary, body,
          java.nio.charset.StandardCharsets.UTF_8));
      return null;
    }, false)
        .map(v -> written)
        .otherwise(e -> report.withError("report_path " + file + " not written: " + e.getMessage()));
  }

  /**
   * Where the report goes as the file system resolves it, which must be in the state directory and none of
   * the node's own files there: a link inside it to a directory elsewhere let a report leave it, and one to
   * the state directory itself let {@code out/scenarios.json} overwrite the saved scenarios (the path as
   * written is all validation can check). What does not exist yet is created below the deepest directory
   * that does, with no link in it.
   */
  private static Path resolved(Path stateDir, Path file) throws java.io.IOException {
    Path state = java.nio.file.Files.createDirectories(stateDir).toRealPath();
    Path absolute = file.toAbsolutePath().normalize();
    Path existing = absolute.getParent();
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent();
    }
    Path real = existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    if (!real.startsWith(state)) {
      throw new ChaosConfigException("report_path", "leads out of the state directory " + state + " (to " + real + ")");
    }
    String own = Reporting.nodeOwn(state.relativize(real));
    if (own != null) {
      throw new ChaosConfigException("report_path", own);
    }
    return real;
  }
}
