package io.faultline.protocol.websocket;

import io.faultline.chaos.engine.ChaosRandom;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.charset.StandardCharsets;

/**
 * Alters one byte of a message's last frame, the way a faulty intermediary would: in a binary message
 * one byte has some bits flipped; in a text message one ASCII character is replaced by another
 * printable one, so the text stays valid UTF-8 (the WebSocket layer accepts it) and it is the
 * application's own validation that has to notice.
 */
final class Corruption {

  private Corruption() {
  }

  static WebSocketFrame corrupt(WebSocketFrame frame, boolean text, ChaosRandom random) {
    byte[] bytes = frame.binaryData().getBytes();
    if (bytes.length == 0) {
      return frame;
    }
    int start = random.nextInt(bytes.length);
    if (text) {
      int index = -1;
      for (int i = 0; i < bytes.length && index < 0; i++) {
        int candidate = (start + i) % bytes.length;
        if (bytes[candidate] >= 0) {
          index = candidate;
        }
      }
      if (index < 0) {
        return frame; // no single-byte character to replace
      }
      byte replacement = (byte) ('!' + random.nextInt(94));
      bytes[index] = replacement == bytes[index] ? (byte) (replacement == '~' ? '!' : replacement + 1) : replacement;
    } else {
      bytes[start] ^= (byte) (1 + random.nextInt(255));
    }
    if (frame.type() == WebSocketFrameType.TEXT) {
      return WebSocketFrame.textFrame(new String(bytes, StandardCharsets.UTF_8), frame.isFinal());
    }
    if (frame.type() == WebSocketFrameType.BINARY) {
      return WebSocketFrame.binaryFrame(Buffer.buffer(bytes), frame.isFinal());
    }
    return WebSocketFrame.continuationFrame(Buffer.buffer(bytes), frame.isFinal());
  }
}
