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
      stillInside(stateDir, target);
      StateFiles.replace(target, temporary -> java.nio.file.Files.writeString(temporary, body, java.nio.charset.StandardCharsets.UTF_8));
      return null;
    }, false)
        .map(v -> written)
        .otherwise(e -> report.withError("report_path " + file + " not written: " + e.getMessage()));
  }

  /**
   * The directory the report goes to is in the state directory as the file system resolves it: a link to a
   * directory elsewhere, inside it, let a report leave it (the path alone is checked when it is parsed).
   */
  private static void stillInside(Path stateDir, Path file) throws java.io.IOException {
    Path existing = file.getParent();
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent(); // what is created below it is made here, with no link in it
    }
    Path state = stateDir.toRealPath();
    if (existing == null || !existing.toRealPath().startsWith(state)) {
      throw new ChaosConfigException("report_path", "leads out of the state directory " + state
          + (existing == null ? "" : " (" + existing + " is " + existing.toRealPath() + ")"));
    }
  }
}
