package io.faultline.chaos.config;

/**
 * A chaos config value that cannot be accepted. {@link #field()} is the dotted path of the offending
 * field ({@code latency.probability}, {@code rules[0].match.path}) so every layer can report it as
 * {@code {"error": ..., "field": ...}}.
 */
public class ChaosConfigException extends RuntimeException {

  private final String field;

  public ChaosConfigException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }

  /** The same error with {@code prefix} in front of the field, for errors raised by nested records. */
  public ChaosConfigException under(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    return new ChaosConfigException(field == null || field.isEmpty() ? prefix : prefix + "." + field, getMessage());
  }

  @Override
  public String toString() {
    return (field == null ? "" : field + ": ") + getMessage();
  }
}
