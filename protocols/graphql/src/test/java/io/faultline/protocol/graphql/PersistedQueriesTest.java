package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The persisted queries' store: a document kept only under its own hash, and the least recently asked going first. */
class PersistedQueriesTest {

  @AfterEach
  void clear() {
    PersistedQueries.clear();
  }

  private static String document(int i) {
    return "query Q" + i + " { hello }";
  }

  @Test
  void theLeastRecentlyAskedGoesWhenTheStoreIsFull() {
    PersistedQueries.clear();
    for (int i = 0; i < PersistedQueries.MAX_ENTRIES; i++) {
      PersistedQueries.document(document(i), PersistedQueries.sha256(document(i)));
    }
    // the first is asked for again (a hot query, sent by its hash alone): it stays; the second, never asked since, goes
    assertThat(PersistedQueries.document(null, PersistedQueries.sha256(document(0)))).isEqualTo(document(0));
    PersistedQueries.document(document(-1), PersistedQueries.sha256(document(-1)));
    assertThat(PersistedQueries.document(null, PersistedQueries.sha256(document(0)))).isEqualTo(document(0));
    assertThat(PersistedQueries.document(null, PersistedQueries.sha256(document(1)))).isNull();
    assertThat(PersistedQueries.document(null, PersistedQueries.sha256(document(-1)))).isEqualTo(document(-1));
    assertThat(PersistedQueries.document(null, PersistedQueries.sha256(document(2)))).isEqualTo(document(2));
  }

  @Test
  void aDocumentIsKeptOnlyUnderItsOwnHashAndAHashIsReadInAnyCase() {
    PersistedQueries.clear();
    String hash = PersistedQueries.sha256(document(7));
    assertThat(PersistedQueries.document(document(8), hash)).as("the request's own document is what it carries").isEqualTo(document(8));
    assertThat(PersistedQueries.document(null, hash)).as("not kept under another's hash").isNull();
    PersistedQueries.document(document(7), hash.toUpperCase(java.util.Locale.ROOT));
    assertThat(PersistedQueries.document(null, hash)).isEqualTo(document(7));
  }
}
