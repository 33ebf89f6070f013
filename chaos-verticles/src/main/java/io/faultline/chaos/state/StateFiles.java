package io.faultline.chaos.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/**
 * Writes (and deletes) files of the node's state directory, a file whole or not at all: into a temporary
 * dot file beside it (never read as an entry of the directory), then moved into place in one step, so a
 * crash or a full disk leaves the last good version and never a cut one. Both the file and the rename are
 * flushed to disk before the call returns, so a power cut after an answered save keeps what it saved.
 *
 * <p>The asynchronous forms run off the event loop with java.nio, not through {@code vertx.fileSystem()},
 * whose every call resolves the path through Vert.x's file resolver: its shutdown hook removes its cache
 * directory when the JVM is told to stop, and from then on every call fails ("cacheDir has been removed"),
 * so what a SIGTERM's stop writes (the report of the run it stopped) was never written.
 */
public final class StateFiles {

  /** Fills the temporary file that then replaces the real one. */
  @FunctionalInterface
  public interface Filler {
    void fill(Path temporary) throws IOException;
  }

  private StateFiles() {
  }

  /** Replaces {@code file} with what {@code filler} writes, making its directories; blocking. */
  public static void replace(Path file, Filler filler) throws IOException {
    Files.createDirectories(file.getParent());
    Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
    try {
      filler.fill(temporary);
      // on disk before it replaces the last good version: renamed first, a power cut could leave an empty file in its place
      // (XFS, ext4 without auto_da_alloc), and the node would not start with its saved scenarios gone
      try (FileChannel written = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        written.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(file.getParent()); // the rename itself, so an answered save is not undone by a power cut
    } finally {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the directory went: the write failed already, and that failure is the one to report
      }
    }
  }

  /** Flushes a directory's entries to disk, where the platform can (Linux can; some systems cannot open a directory). */
  private static void syncDirectory(Path directory) {
    try (FileChannel entries = FileChannel.open(directory, StandardOpenOption.READ)) {
      entries.force(true);
    } catch (IOException unsupported) {
      // the file is in place: what is left is how soon the platform writes the directory out
    }
  }

  /** Writes {@code body} (UTF-8) to {@code file}, making its directories, off the event loop. */
  public static Future<Void> write(Vertx vertx, Path file, String body) {
    return vertx.executeBlocking(() -> {
      replace(file, temporary -> Files.writeString(temporary, body, StandardCharsets.UTF_8));
      return null;
    }, false);
  }

  /** Deletes {@code path} (a file, or a directory with everything in it) if it is there, off the event loop. */
  public static Future<Void> delete(Vertx vertx, Path path) {
    return vertx.executeBlocking(() -> {
      if (Files.isDirectory(path)) {
        try (var tree = Files.walk(path)) {
          for (Path each : tree.sorted(Comparator.reverseOrder()).toList()) {
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
