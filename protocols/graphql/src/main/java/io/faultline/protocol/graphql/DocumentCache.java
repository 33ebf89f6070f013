package io.faultline.protocol.graphql;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The documents one listener instance parsed lately, so that a client sending the same query again
 * (as clients do: a query is code, its variables are data) costs a lookup instead of a parse. Parsing
 * was two thirds of a proxied query's CPU (deploy/bench/profiles). Used on one event loop, so not
 * thread-safe; bounded in entries and in the size of each document it keeps.
 */
final class DocumentCache {

  /** Documents kept per listener instance; the least recently used goes first. */
  static final int MAX_ENTRIES = 256;
  /** Longer documents are parsed every time (never kept), so the cache holds at most 256 × 16 KiB of text. */
  static final int MAX_DOCUMENT_CHARS = 16 * 1024;

  /**
   * What a document came to: an operation, or nothing (it does not parse, or selects more fields than are
   * walked: forwarded untouched, the upstream decides, as it would without the gateway).
   */
  record Parsed(ParsedOperation operation) {
  }

  private static final Parsed UNREAD = new Parsed(null);

  private record Key(String query, String operationName) {
  }

  private final Map<Key, Parsed> recent = new LinkedHashMap<>(MAX_ENTRIES * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Parsed> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** {@code query} parsed with {@link ParsedOperation#parse}, from the cache when it was parsed lately. */
  Parsed parse(String query, String operationName) {
    if (query == null || query.length() > MAX_DOCUMENT_CHARS) {
      return parseNow(query, operationName);
    }
    Key key = new Key(query, operationName);
    Parsed parsed = recent.get(key);
    if (parsed == null) {
      parsed = parseNow(query, operationName);
      recent.put(key, parsed);
    }
    return parsed;
  }

  private static Parsed parseNow(String query, String operationName) {
    try {
      return new Parsed(ParsedOperation.parse(query, operationName));
    } catch (ParsedOperation.TooComplex e) {
      return UNREAD; // too big to walk on the event loop: forwarded untouched, as one that does not parse
    }
  }
}
