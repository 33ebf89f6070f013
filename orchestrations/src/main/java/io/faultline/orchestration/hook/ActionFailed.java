package io.faultline.orchestration.hook;

/** A hook action that did not do what it was asked; {@code refused} when the node's permissions stopped it. */
public final class ActionFailed extends RuntimeException {

  private final boolean refused;

  ActionFailed(String message, boolean refused) {
    super(message, null, false, false);
    this.refused = refused;
  }

  public boolean refused() {
    return refused;
  }
}
