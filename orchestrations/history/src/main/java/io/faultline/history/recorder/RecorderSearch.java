package io.faultline.history.recorder;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.engine.FaultTypes;
import io.faultline.history.Params;
import io.faultline.history.store.ExchangeFilter;
import io.faultline.history.store.HistoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * {@code POST /api/recorder/search} with reference 001's body: {@code {"status_code": 500}}, plus
 * {@code path} (exact, or a prefix ending in {@code *}), {@code fault} (a fault type), {@code listener},
 * {@code since}, {@code until} (ISO-8601 or epoch ms) and {@code limit} (1..10,000, default 100).
 * Unknown fields and fault types are refused, so a typo does not silently widen or empty the search.
 */
public final class RecorderSearch {

  private static final Set<String> FIELDS = Set.of("status_code", "path", "fault", "listener", "since", "until", "limit");

  private final HistoryStore store;

  public RecorderSearch(HistoryStore store) {
    this.store = store;
  }

  public Future<JsonObject> search(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new ChaosConfigException(field, "unknown search field; known: " + FIELDS);
      }
    }
    Double status = Params.number(body, "status_code");
    if (status != null && (status != Math.rint(status) || status < 0 || status > 999)) {
      throw new ChaosConfigException("status_code", "must be a status code (0-999), got " + body.getValue("status_code"));
    }
    String fault = Params.text(body, "fault", 64);
    if (fault != null && !FaultTypes.names().contains(fault)) {
      // a misspelt fault type would find nothing, which reads as "no such exchange"
      throw new ChaosConfigException("fault", "unknown fault type " + fault + "; known: " + FaultTypes.names());
    }
    Params.window(Params.time(body, "since"), Params.time(body, "until"));
    String path = Params.text(body, "path", 2048);
    if (path != null) {
      String stem = path.replaceAll("\\*+$", ""); // /orders/* and /orders/** (as a route writes it) are both the prefix /orders/
      if (stem.contains("*")) {
        // a glob was taken as text, and found nothing, which reads as "no such exchange"
        throw new ChaosConfigException("path", "takes a path, or a prefix ending in * (/orders/*): a * elsewhere is not read as a"
            + " wildcard, got " + path);
      }
      path = stem.length() < path.length() ? stem + "*" : path;
    }
    ExchangeFilter filter = new ExchangeFilter(status == null ? null : status.intValue(), path,
        fault, Params.text(body, "listener", 128), Params.time(body, "since"), Params.time(body, "until"),
        Params.integer(body, "limit", 100, 1, 10_000));
    return store.exchanges(filter).map(rows -> new JsonObject().put("records", new JsonArray(rows)).put("count", rows.size()));
  }
}
