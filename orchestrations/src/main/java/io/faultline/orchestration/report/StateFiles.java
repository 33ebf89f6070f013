package io.faultline.orchestration.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes (and deletes) files of the node's state directory off the event loop, a file whole or not at all:
 * into a temporary file beside it, then moved into place. Not through {@code vertx.fileSystem()}, whose every call resolves
 * the path through Vert.x's file resolver: its shutdown hook removes its cache directory when the JVM is
 * told to stop, and from then on every call fails ("cacheDir has been removed"), so the report of a run
 * a SIGTERM stopped was never written.
 */
public final class StateFiles {

  private StateFiles() {
  }

  /** Writes {@code body} (UTF-8) to {@code file}, making its directories. */
  public static Future<Void> write(Vertx vertx, Path file, String body) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(file.getParent());
      Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
      try {
        Files.writeString(temporary, body, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
      return null;
    }, false);
  }

  /** Deletes {@code path} (a file, or a directory with everything in it) if it is there. */
  public static Future<Void> delete(Vertx vertx, Path path) {
    return vertx.executeBlocking(() -> {
      if (Files.isDirectory(path)) {
        try (var tree = Files.walk(path)) {
          for (Path each : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(each);
          }
        }
      } else {
        Files.deleteIfExists(path);
      }
      return null;
    }, false);
  }
}
