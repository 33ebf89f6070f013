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
 * reading its {@code query} and {@code operationName} strings (the last of a repeated field wins).
 */
record GraphQlBody(String query, String operationName) {

  /** Null when the body is not a JSON object with a string {@code query} (the upstream will say why). */
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
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("query")) {
          query = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        } else if (field.equals("operationName")) {
          operationName = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        } else {
          parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null; // broken, or something after the object
      }
      return query == null ? null : new GraphQlBody(query, operationName);
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
}
