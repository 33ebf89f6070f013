package io.faultline.chaos.event;

import java.util.List;

/** Several {@link ChaosListener}s as one: every event goes to each, in order. */
public final class ChaosListeners implements ChaosListener {

  private final ChaosListener[] listeners;

  public ChaosListeners(List<ChaosListener> listeners) {
    this.listeners = listeners.toArray(ChaosListener[]::new);
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    for (ChaosListener l : listeners) {
      l.requestCompleted(listener, protocol, route, outcome, durationNanos);
    }
  }

  @Override
  public void faultInjected(String listener, String protocol, String route, String type) {
    for (ChaosListener l : listeners) {
      l.faultInjected(listener, protocol, route, type);
    }
  }

  @Override
  public void latencyInjected(String listener, String protocol, String route, long delayMs) {
    for (ChaosListener l : listeners) {
      l.latencyInjected(listener, protocol, route, delayMs);
    }
  }

  @Override
  public void exchangeCompleted(ExchangeRecord record) {
    for (ChaosListener l : listeners) {
      l.exchangeCompleted(record);
    }
  }

  @Override
  public void listenerRemoved(String listener) {
    for (ChaosListener l : listeners) {
      l.listenerRemoved(listener);
    }
  }

  @Override
  public boolean samples() {
    for (ChaosListener l : listeners) {
      if (l.samples()) {
        return true;
      }
    }
    return false;
  }
}
