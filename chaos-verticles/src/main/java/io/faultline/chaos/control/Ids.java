package io.faultline.chaos.control;

import java.util.UUID;

/**
 * Names for what the cluster keeps by id (runs, tasks, experiments, chaos windows): the kind, then 48 random bits
 * as 12 hex digits ({@code run-3f9c2a7d41b0}). Ids of 32 bits, as these were, had about a 1 in 100 chance of one
 * collision among 10,000 runs kept, and a colliding run was dropped by the history store (which keeps the first of an
 * id) or replaced an older report; at 48 bits that chance among 100,000 is below 1 in 50,000.
 */
public final class Ids {

  private static final int HEX_DIGITS = 12;

  private Ids() {
  }

  public static String next(String kind) {
    return kind + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, HEX_DIGITS);
  }
}
