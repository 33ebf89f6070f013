package io.faultline.orchestration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hostile documents. */
public final class Bombs {

  /**
   * A "billion laughs" orchestration of 588 bytes ({@code billion-laughs.yaml}): 45 aliases (under
   * SnakeYAML's default cap of 50), each level nine times the one before, 9^6 = 531,441 strings once
   * expanded, in the variables of an otherwise valid orchestration.
   */
  public static final String BILLION_LAUGHS = resource("/billion-laughs.yaml");

  private Bombs() {
  }

  private static String resource(String name) {
    try (InputStream in = Bombs.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
