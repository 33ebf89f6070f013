package io.faultline.chaos.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What watched files (a config file, a certificate and its key) hold, as one number that changes when any
 * of them is rewritten: by their content, not their time and size. Two versions of a file written within
 * one tick of the file system's clock have the same time (files made back to back, as a ConfigMap's flip
 * or a reproducible build makes them, often have the same size too), and a watch by time missed the
 * second for good. The files are small and read once a second.
 */
public final class FileFingerprint {

  /** The fingerprint of one file that is there and empty (an editor's truncation, caught before its write). */
  public static final long EMPTY_FILE = finish(present(digest(), new byte[0]));

  private FileFingerprint() {
  }

  /** The fingerprint of {@code paths} (null entries skipped; a file missing or unreadable counts as its own state). */
  public static long of(String... paths) {
    MessageDigest digest = digest();
    for (String path : paths) {
      if (path == null) {
        continue;
      }
      try {
        present(digest, Files.readAllBytes(Path.of(path)));
      } catch (NoSuchFileException e) {
        digest.update((byte) 2);
      } catch (IOException e) {
        digest.update((byte) 3);
      }
    }
    return finish(digest);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static MessageDigest present(MessageDigest digest, byte[] content) {
    digest.update(content);
    digest.update((byte) 1);
    return digest;
  }

  private static long finish(MessageDigest digest) {
    return ByteBuffer.wrap(digest.digest()).getLong();
  }
}
