package io.faultline.protocol.graphql;

import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream schemas one GraphQL listener instance knows, by upstream endpoint, learnt by
 * introspection the first time a field fault needs one (never for traffic without field faults). The
 * introspection carries the triggering request's headers, so an upstream that wants credentials gets
 * the client's. A schema is kept 5 minutes; an upstream that refuses introspection (or fails) is asked
 * again after 30 s, and meanwhile field faults null without propagating. Used on the instance's event
 * loop only.
 */
final class SchemaCache {

  private static final long KEEP_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private record Entry(Future<GraphQlSchema> schema, long fetchedAt) {
  }

  /**
   * Endpoints kept per instance, the least recently asked going first: the key holds the request's path, which clients
   * choose ({@code /graphql}, {@code /graphql/}, {@code /x/1}...), and each kept a whole schema for good.
   */
  static final int MAX_ENTRIES = 64;

  private final HttpClient client;
  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  SchemaCache(HttpClient client) {
    this.client = client;
  }

  /** The schema of {@code route}'s upstream endpoint at {@code path}; completes with null when it cannot be learnt. */
  Future<GraphQlSchema> schemaFor(RouteTable.Route route, String path, MultiMap clientHeaders) {
    String uri = route.upstream().target(path);
    String key = route.upstream() + uri;
    Entry entry = entries.get(key);
    long now = System.nanoTime();
    if (entry == null || entry.schema().isComplete()
        && now - entry.fetchedAt() > (entry.schema().result() == null ? RETRY_NANOS : KEEP_NANOS)) {
      entry = new Entry(introspect(route, uri, clientHeaders), now);
      entries.put(key, entry);
    }
    return entry.schema();
  }

  private Future<GraphQlSchema> introspect(RouteTable.Route route, String uri, MultiMap clientHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    clientHeaders.forEach(h -> {
      // the client's credentials and the like; not what belonged to its hop, its message or its handshake
      if (!WebSocketUpgrades.ofOneHandshake(h.getKey())) {
        headers.add(h.getKey(), h.getValue());
      }
    });
    // identity: the schema is read here, and this client does not decompress (a browser's gzip left it unknown)
    headers.set(HttpHeaders.CONTENT_TYPE, "application/json").set(HttpHeaders.ACCEPT, "application/json")
        .set(HttpHeaders.ACCEPT_ENCODING, "identity");
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(route.upstream().host())
        .setPort(route.upstream().port())
        .setSsl(route.upstream().secure())
        .setURI(uri)
        .setHeaders(headers)
        .setIdleTimeout(route.timeoutMs());
    String body = new JsonObject().put("query", GraphQlSchema.INTROSPECTION_QUERY).encode();
    return client.request(options)
        .compose(request -> UpstreamClients.named(request, route.upstream()).send(body))
        .compose(response -> response.body())
        .map(answer -> GraphQlSchema.fromIntrospection(answer.toJsonObject()))
        .otherwise((GraphQlSchema) null);
  }
}
