package io.faultline.orchestration.model;

/** A problem in an orchestration file: the field's path, its line in a YAML file (0 when unknown), what is wrong. */
public record Problem(String path, int line, String message) {

  @Override
  public String toString() {
    return (line > 0 ? "line " + line + ": " : "") + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
