package io.faultline.history.store;

import io.faultline.chaos.event.ExchangeRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@link HistoryStore} over the Vert.x SQL client: the same statements, in SQL that SQLite and
 * PostgreSQL both accept, whichever database the {@link Connections} reach (see {@link Databases}).
 */
public final class SqlHistoryStore implements HistoryStore {

  /**
   * Rows to an {@code INSERT} at most: 500 rows of up to 15 values are 7,500 parameters, within SQLite's
   * 32,766 and PostgreSQL's 65,535 a statement. At the default {@code batch_size} (500) a batch is one statement.
   */
  static final int ROWS_PER_STATEMENT = 500;

  private static final String RUN_COLUMNS = "id, name, status, mode, node, started_at, ended_at, resilience_score, "
      + "request_count, error_count, error_rate, avg_latency, p95_latency, tags";

  private final Connections connections;
  private final RowInsert runs = new RowInsert("runs (" + RUN_COLUMNS + ", document)", "ON CONFLICT (id) DO NOTHING");
  private final RowInsert changes = new RowInsert("chaos_changes (at, node, version, address, source, detail, diff)",
      "ON CONFLICT (node, version, at) DO NOTHING");
  /** A window written again (nodes of a shared database stopping while it was open) keeps its latest end. */
  private final RowInsert windows = new RowInsert("chaos_windows (id, node, started_at, ended_at, source, config, metrics)",
      "ON CONFLICT (id) DO UPDATE SET node = excluded.node, ended_at = excluded.ended_at, metrics = excluded.metrics"
          + " WHERE chaos_windows.ended_at < excluded.ended_at");
  private final RowInsert exchanges = new RowInsert("exchanges (at, node, listener, protocol, route, method, path, operation, "
      + "status_code, outcome, faults, duration_ms, injected_delay_ms, trace_id, id)", "ON CONFLICT (id) DO NOTHING");

  SqlHistoryStore(Connections connections) {
    this.connections = connections;
  }

  @Override
  public Future<Void> insertRuns(List<JsonObject> rows) {
    return runs.insert(rows, (r, row) -> row
        .addValue(cut(r.getString("id"), 64)).addValue(cut(r.getString("name"), 256)).addValue(cut(r.getString("status"), 32))
        .addValue(cut(r.getString("mode"), 32)).addValue(cut(r.getString("node"), 128)).addValue(r.getLong("started_at"))
        .addValue(r.getLong("ended_at")).addValue(r.getDouble("resilience_score")).addValue(r.getLong("request_count"))
        .addValue(r.getLong("error_count")).addValue(r.getDouble("error_rate")).addValue(r.getDouble("avg_latency"))
        .addValue(r.getDouble("p95_latency")).addValue(r.getJsonArray("tags", new JsonArray()).encode())
        .addValue(r.getJsonObject("document").encode()));
  }

  @Override
  public Future<Void> insertChanges(List<JsonObject> rows) {
    return changes.insert(rows, (c, row) -> row
        .addValue(c.getLong("at")).addValue(cut(c.getString("node", "?"), 128)).addValue(c.getLong("version", 0L))
        .addValue(cut(c.getString("address"), 128)).addValue(cut(c.getString("source"), 64))
        .addValue(cut(c.getString("detail"), 256))
        .addValue(c.getJsonArray("diff", new JsonArray()).encode()));
  }

  @Override
  public Future<Void> insertWindows(List<JsonObject> rows) {
    // one row an id in a statement: PostgreSQL refuses an upsert that meets its own row twice (and the batch with it)
    Map<String, JsonObject> latest = new java.util.LinkedHashMap<>();
    for (JsonObject w : rows) {
      latest.merge(w.getString("id", ""), w, (a, b) -> b.getLong("ended_at", 0L) >= a.getLong("ended_at", 0L) ? b : a);
    }
    return windows.insert(List.copyOf(latest.values()), (w, row) -> row
        .addValue(cut(w.getString("id"), 64)).addValue(cut(w.getString("node"), 128)).addValue(w.getLong("started_at"))
        .addValue(w.getLong("ended_at")).addValue(cut(w.getString("source"), 64)).addValue(w.getJsonObject("config").encode())
        .addValue(w.getJsonObject("metrics").encode()));
  }

  @Override
  public Future<Void> insertExchanges(String node, List<RecordedExchange> rows) {
    return exchanges.insert(rows, (recorded, row) -> exchangeRow(node, recorded.exchange(), row).addValue(cut(recorded.id(), 64)));
  }

  private static Tuple exchangeRow(String node, ExchangeRecord e, Tuple row) {
    return row
        .addValue(e.endedAtMs()).addValue(cut(node, 128)).addValue(cut(e.listener(), 128)).addValue(e.protocol())
        .addValue(cut(e.route(), 128)).addValue(cut(e.method(), 16)).addValue(cut(e.path(), RecordedExchange.PATH_CHARS)).addValue(cut(e.operation(), RecordedExchange.OPERATION_CHARS))
        .addValue(e.status()).addValue(e.outcome()).addValue(cut(String.join(",", e.faults()), 512))
        .addValue(e.durationNanos() / 1e6).addValue(e.injectedDelayMs()).addValue(cut(e.traceId(), 64));
  }

  /**
   * Many rows to one {@code INSERT}, {@link #ROWS_PER_STATEMENT} at most: one statement is one commit, whole
   * or not at all, on SQLite as on PostgreSQL. A JDBC batch would be neither: SQLite commits its rows one by
   * one (so a refused row left the rows before it written while the batch counted as failed), at 40 µs of
   * CPU a row against 10 µs this way. Not a transaction around a batch: Vert.x's JDBC client (5.0.7) leaves
   * a pooled connection out of autocommit after one, and the SQLite driver then holds a transaction open on
   * it for good.
   */
  private final class RowInsert {

    private final String head;
    private final String values;
    private final String tail;
    /** The statement of a full one, made once (a busy recorder writes little else). */
    private final String full;

    /** {@code table}: its name and columns, as an {@code INSERT} names them; {@code tail}: what follows the rows. */
    RowInsert(String table, String tail) {
      this.head = "INSERT INTO " + table + " VALUES ";
      this.values = "(" + String.join(", ", Collections.nCopies(table.split(",").length, "?")) + ")";
      this.tail = tail.isEmpty() ? "" : " " + tail;
      this.full = statement(ROWS_PER_STATEMENT);
    }

    /** Writes {@code items}, each as {@code row} adds its values, in statements of {@link #ROWS_PER_STATEMENT} rows at most. */
    <T> Future<Void> insert(List<T> items, BiConsumer<T, Tuple> row) {
      Future<Void> written = Future.succeededFuture();
      for (int from = 0; from < items.size(); from += ROWS_PER_STATEMENT) {
        List<T> chunk = items.subList(from, Math.min(items.size(), from + ROWS_PER_STATEMENT));
        written = written.compose(v -> {
          Tuple params = Tuple.tuple();
          for (T item : chunk) {
            row.accept(item, params);
          }
          return connections.execute(chunk.size() == ROWS_PER_STATEMENT ? full : statement(chunk.size()), params);
        }).mapEmpty();
      }
      return written;
    }

    private String statement(int rows) {
      return head + String.join(", ", Collections.nCopies(rows, values)) + tail;
    }
  }

  @Override
  public Future<Void> putExperiment(JsonObject e) {
    return connections.execute("INSERT INTO experiments (id, kind, status, started_at, ended_at, document) VALUES (?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, document = excluded.document",
            Tuple.tuple().addValue(e.getString("id")).addValue(e.getString("kind")).addValue(e.getString("status"))
            .addValue(e.getLong("started_at")).addValue(e.getLong("ended_at")).addValue(e.encode()))
        .mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> runs(RunFilter f) {
    Where where = new Where()
        .and(f.name() != null, "name = ?", f.name())
        .and(f.status() != null, "status = ?", f.status())
        .and(f.since() != null, "started_at >= ?", f.since())
        .and(f.until() != null, "started_at <= ?", f.until())
        .and(f.minScore() != null, "resilience_score >= ?", f.minScore())
        .and(f.tag() != null, "tags LIKE ? ESCAPE '\\'", f.tag() == null ? null : "%" + like(new JsonArray().add(f.tag()).encode()
            .substring(1).replaceAll("]$", "")) + "%");
    return connections.execute("SELECT " + RUN_COLUMNS + " FROM runs" + where + " ORDER BY started_at DESC, id LIMIT " + f.limit(),
        where.params()).compose(rows -> asJson(rows, read -> read.stream().map(r -> r.put("tags", new JsonArray(r.getString("tags")))).toList()));
  }

  @Override
  public Future<JsonObject> run(String id) {
    return query("SELECT document FROM runs WHERE id = ?", Tuple.of(id))
        .map(rows -> rows.isEmpty() ? null : new JsonObject(rows.get(0).getString("document")));
  }

  @Override
  public Future<List<JsonObject>> exchanges(ExchangeFilter f) {
    boolean prefix = f.path() != null && f.path().endsWith("*"); // RecorderSearch left one * at most, at the end
    Where where = new Where()
        .and(f.statusCode() != null, "status_code = ?", f.statusCode())
        .and(f.path() != null && !prefix, "path = ?", f.path())
        .and(prefix, "path LIKE ? ESCAPE '\\'", prefix ? like(f.path().substring(0, f.path().length() - 1)) + "%" : null)
        .and(f.fault() != null, "(',' || faults || ',') LIKE ? ESCAPE '\\'", f.fault() == null ? null : "%," + like(f.fault()) + ",%")
        .and(f.listener() != null, "listener = ?", f.listener())
        .and(f.since() != null, "at >= ?", f.since())
        .and(f.until() != null, "at <= ?", f.until());
    return query("SELECT at, node, listener, protocol, route, method, path, operation, status_code, outcome, faults, duration_ms, "
        + "injected_delay_ms, trace_id FROM exchanges" + where + " ORDER BY at DESC, id DESC NULLS LAST LIMIT " + f.limit(), where.params())
        .map(rows -> rows.stream().map(r -> {
          String faults = r.getString("faults");
          return r.put("faults", faults == null || faults.isEmpty() ? new JsonArray() : new JsonArray(List.of((Object[]) faults.split(","))));
        }).toList());
  }

  @Override
  public Future<List<JsonObject>> changes(long since, long until, int limit) {
    return query("SELECT at, node, version, address, source, detail, diff FROM chaos_changes WHERE at >= ? AND at <= ? "
        + "ORDER BY at DESC LIMIT " + limit, Tuple.of(since, until))
        .map(rows -> rows.stream().map(r -> r.put("diff", new JsonArray(r.getString("diff")))).toList());
  }

  @Override
  public Future<List<JsonObject>> windows(long since, long until, int limit) {
    // every window chaos was on in at some time between since and until, also one opened before since
    return query("SELECT id, node, started_at, ended_at, source, config, metrics FROM chaos_windows WHERE ended_at >= ? "
        + "AND started_at <= ? ORDER BY started_at DESC LIMIT " + limit, Tuple.of(since, until))
        .map(rows -> rows.stream().map(r -> r.put("config", new JsonObject(r.getString("config")))
            .put("metrics", new JsonObject(r.getString("metrics")))).toList());
  }

  @Override
  public Future<List<JsonObject>> experiments(int limit) {
    return query("SELECT document FROM experiments ORDER BY started_at DESC LIMIT " + limit, Tuple.tuple())
        .map(rows -> rows.stream().map(r -> new JsonObject(r.getString("document"))).toList());
  }

  @Override
  public Future<JsonObject> experiment(String id) {
    return query("SELECT document FROM experiments WHERE id = ?", Tuple.of(id))
        .map(rows -> rows.isEmpty() ? null : new JsonObject(rows.get(0).getString("document")));
  }

  @Override
  public Future<JsonObject> counts() {
    return query("SELECT (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM chaos_changes) AS changes, "
        + "(SELECT COUNT(*) FROM chaos_windows) AS windows, (SELECT COUNT(*) FROM exchanges) AS exchanges, "
        + "(SELECT COUNT(*) FROM experiments) AS experiments", Tuple.tuple()).map(rows -> rows.get(0));
  }

  @Override
  public Future<List<JsonObject>> runTotals() {
    return query("SELECT name, status, COUNT(*) AS runs, COUNT(resilience_score) AS scored, SUM(resilience_score) AS score_sum,"
        + " MIN(started_at) AS first_at, MAX(started_at) AS last_at FROM runs GROUP BY name, status", Tuple.tuple());
  }

  @Override
  public Future<JsonObject> prune(Retention retention, long nowMs) {
    long cutoff = nowMs - retention.days() * 86_400_000L;
    JsonObject deleted = new JsonObject();
    return prune(deleted, "runs", "started_at", cutoff, retention.maxRuns())
        .compose(v -> prune(deleted, "chaos_windows", "started_at", cutoff, retention.maxRuns()))
        .compose(v -> prune(deleted, "experiments", "started_at", cutoff, retention.maxRuns()))
        .compose(v -> prune(deleted, "chaos_changes", "at", cutoff, retention.maxChanges()))
        .compose(v -> prune(deleted, "exchanges", "at", cutoff, retention.maxExchanges()))
        .map(v -> deleted);
  }

  @Override
  public Future<Long> trimExchanges(int keep) {
    JsonObject deleted = new JsonObject();
    return prune(deleted, "exchanges", "at", Long.MIN_VALUE, keep).map(v -> deleted.getLong("exchanges"));
  }

  /** Deletes rows older than {@code cutoff}, then those older than the {@code keep}-th newest (ties at the edge stay). */
  private Future<Void> prune(JsonObject deleted, String table, String time, long cutoff, int keep) {
    return connections.execute("DELETE FROM " + table + " WHERE " + time + " < ?", Tuple.of(cutoff))
        .compose(aged -> connections.execute("DELETE FROM " + table + " WHERE " + time + " < (SELECT " + time + " FROM " + table
                + " ORDER BY " + time + " DESC LIMIT 1 OFFSET ?)", Tuple.of(Math.max(0, keep - 1)))
            .map(counted -> {
              deleted.put(table, aged.rowCount() + counted.rowCount());
              return null;
            }));
  }

  @Override
  public Future<Void> close() {
    return connections.close();
  }

  private Future<List<JsonObject>> query(String sql, Tuple params) {
    return connections.execute(sql, params).compose(rows -> asJson(rows, read -> read));
  }

  /** Rows read at once beyond which they are made JSON on a worker. */
  static final int ROWS_ON_THE_LOOP = 1_000;

  /**
   * {@code rows} as JSON, then {@code then} of them: on a worker for more than {@link #ROWS_ON_THE_LOOP} (a trend or an
   * export reads up to 100,000 runs, and made them JSON on the history verticle's event loop, which carries listeners'
   * traffic too).
   */
  private static <T> Future<T> asJson(RowSet<Row> rows, java.util.function.Function<List<JsonObject>, T> then) {
    return rows.size() <= ROWS_ON_THE_LOOP ? Future.succeededFuture(then.apply(json(rows))) : offTheLoop(() -> then.apply(json(rows)));
  }

  /**
   * {@code work} on a worker thread when called on a Vert.x context (at once otherwise): what is built of many rows (an
   * export's text, their JSON) is not built on the history verticle's event loop, which carries listeners' traffic too.
   */
  public static <T> Future<T> offTheLoop(java.util.concurrent.Callable<T> work) {
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    if (context == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return context.executeBlocking(work, false);
  }

  /** Rows as JSON, whole numbers as longs and others as doubles whatever width the driver picked. */
  private static List<JsonObject> json(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    for (Row row : rows) {
      JsonObject json = new JsonObject();
      for (int i = 0; i < row.size(); i++) {
        Object v = row.getValue(i);
        if (v instanceof Integer || v instanceof Short || v instanceof Long) {
          v = ((Number) v).longValue();
        } else if (v instanceof Number n) {
          v = n.doubleValue();
        }
        json.put(row.getColumnName(i).toLowerCase(java.util.Locale.ROOT), v);
      }
      out.add(json);
    }
    return out;
  }

  /** Escapes LIKE's wildcards (and its escape character) so {@code text} matches itself. */
  private static String like(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  /**
   * {@code s} cut to its column's width, without NUL. PostgreSQL refuses a longer value (and with it the statement's other
   * rows), SQLite keeps it whole; cut, both keep the same. Our own ids and names fit (ids are generated, an
   * orchestration's name is checked as it is parsed); the cut is for what a script publishes on the bus
   * ({@code faultline.history.run.recorded}, a change's source header) and for node ids.
   */
  private static String cut(String s, int max) {
    if (s == null) {
      return null;
    }
    // PostgreSQL's text takes no NUL (0x00) and refuses the whole statement: one request with %00 in its
    // path lost the 500 records written with it. It is kept as U+FFFD, as SQLite would keep the rest.
    String text = s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    return text.length() <= max ? text : text.substring(0, max);
  }

  /** A WHERE clause built from the conditions that apply, with their parameters in order. */
  private static final class Where {
    private final StringBuilder sql = new StringBuilder();
    private final Tuple params = Tuple.tuple();

    Where and(boolean applies, String condition, Object param) {
      if (applies) {
        sql.append(sql.length() == 0 ? " WHERE " : " AND ").append(condition);
        // text searched for as it is stored (NUL kept as U+FFFD): PostgreSQL refused a NUL in a parameter (a 500), and
        // SQLite found nothing, so a name or path stored with one could never be found
        params.addValue(param instanceof String text && text.indexOf('\u0000') >= 0 ? text.replace('\u0000', '\uFFFD') : param);
      }
      return this;
    }

    Tuple params() {
      return params;
    }

    @Override
    public String toString() {
      return sql.toString();
    }
  }
}
