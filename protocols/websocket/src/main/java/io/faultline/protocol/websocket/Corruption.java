package io.faultline.protocol.websocket;

import io.faultline.chaos.engine.ChaosRandom;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.charset.StandardCharsets;

/**
 * Alters one byte of a message's last frame, the way a faulty intermediary would: in a binary message
 * one byte has some bits flipped; in a text message one ASCII character is replaced by another
 * printable one, or, in text with none (CJK, Cyrillic), one multi-byte character by another of the same
 * length, so the text stays valid UTF-8 (the WebSocket layer accepts it) and it is the application's own
 * validation that has to notice. Such text came through unchanged while the fault was counted. A message
 * in fragments whose last one has no byte to alter (empty, as streaming writers end a message, or only the
 * tail of a character split across fragments) gets one more byte there instead: a printable ASCII character
 * in text (after its last fragment a text message ends on a whole character, so it stays valid UTF-8). Only
 * an empty message is left as it is, and then answered as it came.
 */
final class Corruption {

  private Corruption() {
  }

  static WebSocketFrame corrupt(WebSocketFrame frame, boolean text, ChaosRandom random) {
    byte[] bytes = frame.binaryData().getBytes();
    if (bytes.length == 0) {
      return lengthened(frame, text, random);
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
      if (index >= 0) {
        byte replacement = (byte) ('!' + random.nextInt(94));
        bytes[index] = replacement == bytes[index] ? (byte) (replacement == '~' ? '!' : replacement + 1) : replacement;
      } else {
        index = freeContinuation(bytes, start);
        if (index < 0) {
          return lengthened(frame, text, random); // nothing here can change and stay valid UTF-8 (a fragment's split character)
        }
        bytes[index] ^= (byte) (1 << random.nextInt(6)); // a continuation byte still: another character of the same length
      }
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

  /** {@code frame}, a message's last, with one more byte when it ends a message in fragments; an empty message as it is. */
  private static WebSocketFrame lengthened(WebSocketFrame frame, boolean text, ChaosRandom random) {
    if (frame.type() != WebSocketFrameType.CONTINUATION) {
      return frame;
    }
    byte added = text ? (byte) ('!' + random.nextInt(94)) : (byte) random.nextInt(256);
    Buffer bytes = frame.binaryData();
    return WebSocketFrame.continuationFrame(Buffer.buffer(bytes.length() + 1).appendBuffer(bytes).appendByte(added), frame.isFinal());
  }

  /**
   * A continuation byte whose low six bits may change without the character turning invalid (an overlong
   * form or a surrogate is decided by the lead byte and the first continuation after it): one after a
   * two-byte lead (C2-DF) or after another continuation byte; searched from {@code start}. -1: none.
   */
  private static int freeContinuation(byte[] bytes, int start) {
    for (int i = 0; i < bytes.length; i++) {
      int at = (start + i) % bytes.length;
      if (at == 0 || (bytes[at] & 0xC0) != 0x80) {
        continue;
      }
      int before = bytes[at - 1] & 0xFF;
      if ((before & 0xC0) == 0x80 || before >= 0xC2 && before <= 0xDF) {
        return at;
      }
    }
    return -1;
  }
}
