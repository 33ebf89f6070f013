package io.faultline.protocol.graphql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The documents of Apollo's automatic persisted queries the gateway has seen, by their SHA-256. A client sends a
 * query's hash alone ({@code extensions.persistedQuery.sha256Hash}, no {@code query}) once the server knows it, and the
 * whole document only the first time or when the server asks again. Without the document, the gateway could not tell
 * the operation's type, name or fields, and no rule or {@code graphql} section acted on such a request: a fault on
 * {@code Checkout} hit a client's first checkout and no later one. A document is kept only when its hash is the
 * client's, so no request can make another document's hash stand for its own. One store for the JVM (a hash names one
 * document wherever it is sent), bounded in entries and in the size of each document: an old entry goes when it is
 * full, and a hash the gateway never saw whole is forwarded untouched, as before.
 */
final class PersistedQueries {

  /** Documents kept; at most this many × {@link DocumentCache#MAX_DOCUMENT_CHARS} of text. */
  static final int MAX_ENTRIES = 512;

  private static final ConcurrentHashMap<String, String> DOCUMENTS = new ConcurrentHashMap<>();

  private PersistedQueries() {
  }

  /**
   * The document a request stands for: {@code query} when it has one (kept under {@code hash} when that is its
   * SHA-256), else the one kept under {@code hash}, else null.
   */
  static String document(String query, String hash) {
    if (hash == null) {
      return query;
    }
    String key = hash.toLowerCase(java.util.Locale.ROOT);
    if (query == null) {
      return DOCUMENTS.get(key);
    }
    if (query.length() <= DocumentCache.MAX_DOCUMENT_CHARS && !DOCUMENTS.containsKey(key) && key.equals(sha256(query))) {
      if (DOCUMENTS.size() >= MAX_ENTRIES) {
        Iterator<String> some = DOCUMENTS.keySet().iterator();
        if (some.hasNext()) {
          DOCUMENTS.remove(some.next());
        }
      }
      DOCUMENTS.put(key, query);
    }
    return query;
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
