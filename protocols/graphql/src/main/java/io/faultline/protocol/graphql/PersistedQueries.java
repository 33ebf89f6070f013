package io.faultline.protocol.graphql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The documents of Apollo's automatic persisted queries the gateway has seen, by their SHA-256. A client sends a
 * query's hash alone ({@code extensions.persistedQuery.sha256Hash}, no {@code query}) once the server knows it, and the
 * whole document only the first time or when the server asks again. Without the document, the gateway could not tell
 * the operation's type, name or fields, and no rule or {@code graphql} section acted on such a request: a fault on
 * {@code Checkout} hit a client's first checkout and no later one. A document is kept only when its hash is the
 * client's, so no request can make another document's hash stand for its own. One store for the JVM (a hash names one
 * document wherever it is sent), bounded in entries and in the size of each document: the least recently asked goes
 * when it is full, and a hash the gateway never saw whole is forwarded untouched, as before.
 */
final class PersistedQueries {

  /** Documents kept; at most this many × {@link DocumentCache#MAX_DOCUMENT_CHARS} of text. */
  static final int MAX_ENTRIES = 512;

  /** A kept document and when it was last asked for (a tick of {@link #TICKS}), for the least recently used to go first. */
  private static final class Kept {
    final String document;
    volatile long used;

    Kept(String document, long used) {
      this.document = document;
      this.used = used;
    }
  }

  private static final ConcurrentHashMap<String, Kept> DOCUMENTS = new ConcurrentHashMap<>();
  private static final AtomicLong TICKS = new AtomicLong();

  private PersistedQueries() {
  }

  /**
   * The document a request stands for: {@code query} when it has one (kept under {@code hash} when that is its
   * SHA-256), else the one kept under {@code hash}, else null. Lock-free: a lookup reads the map and stamps the entry.
   */
  static String document(String query, String hash) {
    if (hash == null) {
      return query;
    }
    String key = hash.toLowerCase(java.util.Locale.ROOT);
    Kept kept = DOCUMENTS.get(key);
    if (kept != null) {
      kept.used = TICKS.incrementAndGet(); // a hot query stays: the client sends it whole only when its server asks
      return query != null ? query : kept.document;
    }
    if (query != null && query.length() <= DocumentCache.MAX_DOCUMENT_CHARS && key.equals(sha256(query))) {
      if (DOCUMENTS.size() >= MAX_ENTRIES) {
        evictLeastRecentlyUsed(); // rare: once per document new to a full store, a scan of its 512 entries
      }
      DOCUMENTS.put(key, new Kept(query, TICKS.incrementAndGet()));
    }
    return query;
  }

  private static void evictLeastRecentlyUsed() {
    String oldest = null;
    long oldestUse = Long.MAX_VALUE;
    for (Map.Entry<String, Kept> e : DOCUMENTS.entrySet()) {
      if (e.getValue().used < oldestUse) {
        oldestUse = e.getValue().used;
        oldest = e.getKey();
      }
    }
    if (oldest != null) {
      DOCUMENTS.remove(oldest);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JDK", e);
    }
  }

  /** Forgets every document (tests). */
  static void clear() {
    DOCUMENTS.clear();
  }
}
