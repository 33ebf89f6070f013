package io.faultline.history.store;

import java.util.logging.Logger;

/**
 * Holds the recorded exchanges near {@code max_exchanges} as they are written: once a tenth of it more has been
 * written, the oldest beyond it are deleted ({@link HistoryStore#trimExchanges}). Retention's hourly pass alone let a
 * busy recorder (every request faulted, 30,000 a second) write a hundred times the bound between two passes. One trim
 * runs at a time; what is written meanwhile counts towards the next. Called on the writer's context only.
 */
public final class ExchangeCap {

  private static final Logger LOG = Logger.getLogger(ExchangeCap.class.getName());

  private final HistoryStore store;
  private final int keep;
  private final int every;
  private long written;
  private boolean trimming;

  public ExchangeCap(HistoryStore store, int keep) {
    this.store = store;
    this.keep = keep;
    this.every = Math.max(1, keep / 10);
  }

  /** {@code rows} more exchanges were stored. */
  public void written(int rows) {
    written += rows;
    if (trimming || written < every) {
      return;
    }
    written = 0;
    trimming = true;
    store.trimExchanges(keep).onComplete(trimmed -> {
      trimming = false;
      if (trimmed.failed()) {
        LOG.warning(() -> "recorded exchanges past max_exchanges (" + keep + ") were not deleted: " + trimmed.cause().getMessage()
            + "; tried again after the next " + every + " written");
      }
    });
  }
}
