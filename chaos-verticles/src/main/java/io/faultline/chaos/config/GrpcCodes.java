package io.faultline.chaos.config;

import java.util.List;
import java.util.Locale;

/**
 * gRPC status names as config accepts them ({@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}, ...), and
 * the HTTP status each stands for when a non-gRPC listener has to answer one.
 */
public final class GrpcCodes {

  /** The gRPC status codes in code order (index = numeric code). */
  public static final List<String> NAMES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

  private static final int[] HTTP = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};

  private GrpcCodes() {
  }

  /** The canonical name for {@code value} (case-insensitive), or a {@link ChaosConfigException} naming {@code field}. */
  static String check(String value, String field) {
    String name = value == null ? null : value.toUpperCase(Locale.ROOT);
    if (name == null || !NAMES.contains(name) || name.equals("OK")) {
      throw new ChaosConfigException(field, "must be a gRPC status name other than OK (" + String.join(", ", NAMES.subList(1, NAMES.size()))
          + "), got " + value);
    }
    return name;
  }

  public static int httpStatus(String name) {
    return HTTP[NAMES.indexOf(name)];
  }
}
