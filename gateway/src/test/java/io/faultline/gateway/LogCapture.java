package io.faultline.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What a logger logs while the capture is open: {@code try (LogCapture log = LogCapture.of(Foo.class)) { ... log.warnings() }}. */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(this);
  }

  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  public static LogCapture of(String loggerName) {
    return new LogCapture(Logger.getLogger(loggerName));
  }

  /** The messages logged at WARNING, formatted (a message given as a supplier is one already). */
  public List<String> warnings() {
    return records.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
  }

  /** Every message logged so far. */
  public List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  public void clear() {
    records.clear();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
