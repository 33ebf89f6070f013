package io.faultline.chaos.config;

import java.util.ArrayList;
import java.util.List;

/**
 * GraphQL chaos, for parsed operations on graphql listeners: a {@code error_probability} share of
 * operations answered with an {@code errors} array ({@code error_message}, {@code extensions.code} =
 * {@code error_code}) and HTTP {@code error_status} (200 by default, as GraphQL servers do) without
 * calling the upstream; and {@code field_faults}, each for one field path selected by the operation:
 * extra latency ({@code delay_ms}) and, for an {@code error_probability} share, that field nulled in the
 * upstream's {@code data} with an error whose {@code path} points at it.
 */
public record GraphQlConfig(
    Boolean enabled,
    Double errorProbability,
    String errorMessage,
    String errorCode,
    Integer errorStatus,
    List<FieldFault> fieldFaults) {

  /** A fault on one field path ({@code Query.user.orders}), applied when an operation selects it. */
  public record FieldFault(String field, Double errorProbability, Long delayMs, String message, String code) {

    public FieldFault {
      RuleMatch.checkFieldPath(field, "field");
      errorProbability = Check.probability(errorProbability, "error_probability", 0.0);
      delayMs = Check.nonNegative(delayMs, "delay_ms", 0L, Check.HOUR_MS);
      if (errorProbability == 0 && delayMs == 0) {
        throw new ChaosConfigException("error_probability", "a field fault needs error_probability above 0 or delay_ms above 0");
      }
      message = message == null ? "Cannot resolve field " + field.substring(field.lastIndexOf('.') + 1) + ": injected fault" : message;
      code = code == null ? "INTERNAL_SERVER_ERROR" : code;
      notBlank(code, "code");
    }
  }

  /** An error code a client switches on: blank, it reads as no code at all. */
  private static void notBlank(String code, String field) {
    if (code.isBlank()) {
      throw new ChaosConfigException(field, "must not be blank: leave it out for INTERNAL_SERVER_ERROR");
    }
  }

  public GraphQlConfig {
    enabled = Check.flag(enabled, true);
    errorProbability = Check.probability(errorProbability, "error_probability", 0.0);
    errorMessage = errorMessage == null ? "Internal server error: injected fault" : errorMessage;
    errorCode = errorCode == null ? "INTERNAL_SERVER_ERROR" : errorCode;
    notBlank(errorCode, "error_code");
    errorStatus = errorStatus == null ? 200 : errorStatus;
    if (errorStatus < 200 || errorStatus > 599) {
      throw new ChaosConfigException("error_status", "must be an HTTP status between 200 and 599, got " + errorStatus);
    }
    if (errorStatus == 204 || errorStatus == 205 || errorStatus == 304) {
      // the answer's body is its errors, and these statuses carry none: the client got an empty answer
      throw new ChaosConfigException("error_status", "must be a status that carries a body (the GraphQL errors), not "
          + errorStatus);
    }
    List<FieldFault> faults = new ArrayList<>();
    for (int i = 0; fieldFaults != null && i < fieldFaults.size(); i++) {
      if (fieldFaults.get(i) == null) {
        throw new ChaosConfigException("field_faults[" + i + "]", "must be an object");
      }
      for (int j = 0; j < i; j++) {
        if (fieldFaults.get(j).field().equals(fieldFaults.get(i).field())) {
          // both firing gave the one nulled field two errors at one path, where a failing server gives one
          throw new ChaosConfigException("field_faults[" + i + "].field", fieldFaults.get(i).field()
              + " has a fault already (field_faults[" + j + "]): give a field one entry, with its delay and error together");
        }
      }
      faults.add(fieldFaults.get(i));
    }
    fieldFaults = List.copyOf(faults);
  }
}
