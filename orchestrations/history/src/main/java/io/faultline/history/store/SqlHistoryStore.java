package io.faultline.history.store;

import io.faultline.chaos.event.ExchangeRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link HistoryStore} over the Vert.x SQL client: the same statements, in SQL that SQLite and
 * PostgreSQL both accept, whichever database the {@link Pool} reaches (see {@link Databases}).
 */
public final class SqlHistoryStore implements HistoryStore {

  /** 500 rows of 14 values: 7,000 parameters, within SQLite's 32,766 and PostgreSQL's 65,535 a statement. */
  static final int EXCHANGES_PER_STATEMENT = 500;
  /** The statement of a full one, made once (a busy recorder writes little else). */
  private static final String FULL_EXCHANGE_INSERT = exchangeInsert(EXCHANGES_PER_STATEMENT);

  private static final String RUN_COLUMNS = "id, name, status, mode, node, started_at, ended_at, resilience_score, "
      + "request_count, error_count, error_rate, avg_latency, p95_latency, tags";

  private final Pool pool;

  public SqlHistoryStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Void> insertRuns(List<JsonObject> runs) {
    List<Tuple> rows = new ArrayList<>();
    for (JsonObject r : runs) {
      rows.add(Tuple.tuple().addValue(r.getString("id")).addValue(r.getString("name")).addValue(r.getString("status"))
          .addValue(r.getString("mode")).addValue(r.getString("node")).addValue(r.getLong("started_at"))
          .addValue(r.getLong("ended_at")).addValue(r.getDouble("resilience_score")).addValue(r.getLong("request_count"))
          .addValue(r.getLong("error_count")).addValue(r.getDouble("error_rate")).addValue(r.getDouble("avg_latency"))
          .addValue(r.getDouble("p95_latency")).addValue(r.getJsonArray("tags", new JsonArray()).encode())
          .addValue(r.getJsonObject("document").encode()));
    }
    return batch("INSERT INTO runs (" + RUN_COLUMNS + ", document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (id) DO NOTHING", rows);
  }

  @Override
  public Future<Void> insertChanges(List<JsonObject> changes) {
    List<Tuple> rows = new ArrayList<>();
    for (JsonObject c : changes) {
      rows.add(Tuple.tuple().addValue(c.getLong("at")).addValue(c.getString("node", "?")).addValue(c.getLong("version", 0L))
          .addValue(c.getString("address")).addValue(c.getString("source")).addValue(c.getString("detail"))
          .addValue(c.getJsonArray("diff", new JsonArray()).encode()));
    }
    return batch("INSERT INTO chaos_changes (at, node, version, address, source, detail, diff) VALUES (?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (node, version, at) DO NOTHING", rows);
  }

  @Override
  public Future<Void> insertWindows(List<JsonObject> windows) {
    List<Tuple> rows = new ArrayList<>();
    for (JsonObject w : windows) {
      rows.add(Tuple.tuple().addValue(w.getString("id")).addValue(w.getString("node")).addValue(w.getLong("started_at"))
          .addValue(w.getLong("ended_at")).addValue(w.getString("source")).addValue(w.getJsonObject("config").encode())
          .addValue(w.getJsonObject("metrics").encode()));
    }
    return batch("INSERT INTO chaos_windows (id, node, started_at, ended_at, source, config, metrics) VALUES (?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (id) DO NOTHING", rows);
  }

  /**
   * The flight recorder's rows, {@link #EXCHANGES_PER_STATEMENT} to an {@code INSERT}: one statement is one
   * commit, and whole or not at all. Row by row (a JDBC batch, which SQLite commits row by row) they cost
   * 40 µs of CPU each, capping the recorder at some 17,000 rows/s on a core; this way 10 µs. Not a
   * transaction around the batch: Vert.x's JDBC client (5.0.7) leaves a pooled connection out of
   * autocommit after one, and the SQLite driver then holds a transaction open on it for good.
   */
  @Override
  public Future<Void> insertExchanges(String node, List<ExchangeRecord> exchanges) {
    Future<Void> written = Future.succeededFuture();
    for (int from = 0; from < exchanges.size(); from += EXCHANGES_PER_STATEMENT) {
      List<ExchangeRecord> rows = exchanges.subList(from, Math.min(exchanges.size(), from + EXCHANGES_PER_STATEMENT));
      written = written.compose(v -> insertExchangeRows(node, rows));
    }
    return written;
  }

  private Future<Void> insertExchangeRows(String node, List<ExchangeRecord> rows) {
    Tuple values = Tuple.tuple();
    for (ExchangeRecord e : rows) {
      values.addValue(e.endedAtMs()).addValue(node).addValue(e.listener()).addValue(e.protocol())
          .addValue(e.route()).addValue(e.method()).addValue(cut(e.path(), 2048)).addValue(cut(e.operation(), 256))
          .addValue(e.status()).addValue(e.outcome()).addValue(cut(String.join(",", e.faults()), 512))
          .addValue(e.durationNanos() / 1e6).addValue(e.injectedDelayMs()).addValue(cut(e.traceId(), 64));
    }
    return pool.preparedQuery(rows.size() == EXCHANGES_PER_STATEMENT ? FULL_EXCHANGE_INSERT : exchangeInsert(rows.size()))
        .execute(values).mapEmpty();
  }

  private static String exchangeInsert(int rows) {
    return "INSERT INTO exchanges (at, node, listener, protocol, route, method, path, operation, status_code, outcome, faults, "
        + "duration_ms, injected_delay_ms, trace_id) VALUES "
        + String.join(", ", Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  }

  @Override
  public Future<Void> putExperiment(JsonObject e) {
    return pool.preparedQuery("INSERT INTO experiments (id, kind, status, started_at, ended_at, document) VALUES (?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, document = excluded.document")
        .execute(Tuple.tuple().addValue(e.getString("id")).addValue(e.getString("kind")).addValue(e.getString("status"))
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
    return query("SELECT " + RUN_COLUMNS + " FROM runs" + where + " ORDER BY started_at DESC, id LIMIT " + f.limit(), where.params())
        .map(rows -> rows.stream().map(r -> r.put("tags", new JsonArray(r.getString("tags")))).toList());
  }

  @Override
  public Future<JsonObject> run(String id) {
    return query("SELECT document FROM runs WHERE id = ?", Tuple.of(id))
        .map(rows -> rows.isEmpty() ? null : new JsonObject(rows.get(0).getString("document")));
  }

  @Override
  public Future<List<JsonObject>> exchanges(ExchangeFilter f) {
    boolean prefix = f.path() != null && f.path().endsWith("*");
    Where where = new Where()
        .and(f.statusCode() != null, "status_code = ?", f.statusCode())
        .and(f.path() != null && !prefix, "path = ?", f.path())
        .and(prefix, "path LIKE ? ESCAPE '\\'", prefix ? like(f.path().substring(0, f.path().length() - 1)) + "%" : null)
        .and(f.fault() != null, "(',' || faults || ',') LIKE ? ESCAPE '\\'", f.fault() == null ? null : "%," + like(f.fault()) + ",%")
        .and(f.listener() != null, "listener = ?", f.listener())
        .and(f.since() != null, "at >= ?", f.since())
        .and(f.until() != null, "at <= ?", f.until());
    return query("SELECT at, node, listener, protocol, route, method, path, operation, status_code, outcome, faults, duration_ms, "
        + "injected_delay_ms, trace_id FROM exchanges" + where + " ORDER BY at DESC LIMIT " + f.limit(), where.params())
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
    return query("SELECT id, node, started_at, ended_at, source, config, metrics FROM chaos_windows WHERE started_at >= ? "
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

  /** Deletes rows older than {@code cutoff}, then those older than the {@code keep}-th newest (ties at the edge stay). */
  private Future<Void> prune(JsonObject deleted, String table, String time, long cutoff, int keep) {
    return pool.preparedQuery("DELETE FROM " + table + " WHERE " + time + " < ?").execute(Tuple.of(cutoff))
        .compose(aged -> pool.preparedQuery("DELETE FROM " + table + " WHERE " + time + " < (SELECT " + time + " FROM " + table
                + " ORDER BY " + time + " DESC LIMIT 1 OFFSET ?)").execute(Tuple.of(Math.max(0, keep - 1)))
            .map(counted -> {
              deleted.put(table, aged.rowCount() + counted.rowCount());
              return null;
            }));
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  private Future<Void> batch(String sql, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : pool.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }

  private Future<List<JsonObject>> query(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(SqlHistoryStore::json);
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

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  /** A WHERE clause built from the conditions that apply, with their parameters in order. */
  private static final class Where {
    private final StringBuilder sql = new StringBuilder();
    private final Tuple params = Tuple.tuple();

    Where and(boolean applies, String condition, Object param) {
      if (applies) {
        sql.append(sql.length() == 0 ? " WHERE " : " AND ").append(condition);
        params.addValue(param);
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
