package io.faultline.protocol.graphql;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * The document and operation name of a GraphQL-over-HTTP JSON body, read with a streaming parser (the
 * one Vert.x's {@code JsonObject} uses, same features): the variables and extensions are checked and
 * skipped, never built into maps. The same answer as decoding the body into a {@code JsonObject} and
 * reading its {@code query} and {@code operationName} strings (the last of a repeated field wins), and the hash of an
 * automatic persisted query ({@code extensions.persistedQuery.sha256Hash}, {@link PersistedQueries}).
 */
record GraphQlBody(String query, String operationName, String hash) {

  /**
   * Null when the body is not a JSON object with a string {@code query} or a persisted query's hash (the upstream will
   * say why).
   */
  static GraphQlBody read(Buffer body) {
    if (body.length() == 0) {
      return null;
    }
    JsonParser parser = JacksonCodec.createParser(body);
    try {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String query = null;
      String operationName = null;
      String hash = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("query")) {
          query = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        } else if (field.equals("operationName")) {
          operationName = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        } else if (field.equals("extensions") && value == JsonToken.START_OBJECT) {
          hash = persistedHash(parser);
        } else {
          parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null; // broken, or something after the object
      }
      return query == null && hash == null ? null : new GraphQlBody(query, operationName, hash);
    } catch (IOException | DecodeException e) {
      return null;
    } finally {
      try {
        parser.close();
      } catch (IOException ignored) {
        // nothing was opened but the buffer
      }
    }
  }

  /** Reads an {@code extensions} object (the parser at its start) to its end: its persisted query's hash, or null. */
  private static String persistedHash(JsonParser parser) throws IOException {
    String hash = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (field.equals("persistedQuery") && value == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String inner = parser.currentName();
          JsonToken innerValue = parser.nextToken();
          if (inner.equals("sha256Hash") && innerValue == JsonToken.VALUE_STRING) {
            hash = parser.getText();
          } else {
            parser.skipChildren();
          }
        }
      } else {
        parser.skipChildren();
      }
    }
    return hash;
  }

  /** The most operations a batch is answered one by one for: a 4 MiB body of {@code [0,0,...]} made a refusal of 100s of MB. */
  static final int MAX_BATCH = 1_000;

  /**
   * The number of operations of a batch body (a JSON array of objects, as Apollo's {@code BatchHttpLink} sends), or -1
   * when the body is not a readable JSON array of at most {@link #MAX_BATCH} objects. Read only when a batch is answered
   * by the gateway itself.
   */
  static int batchSize(Buffer body) {
    if (body == null || body.length() == 0) {
      return -1;
    }
    JsonParser parser = JacksonCodec.createParser(body);
    try {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return -1;
      }
      int operations = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (parser.currentToken() != JsonToken.START_OBJECT || ++operations > MAX_BATCH) {
          return -1; // cut short, not an operation, or more than are answered one by one
        }
        parser.skipChildren();
      }
      return parser.nextToken() == null ? operations : -1;
    } catch (IOException | DecodeException e) {
      return -1;
    } finally {
      try {
        parser.close();
      } catch (IOException ignored) {
        // nothing was opened but the buffer
      }
    }
  }
}
