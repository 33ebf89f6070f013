package io.faultline.protocol.websocket;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Follows the frames of one direction of a WebSocket byte stream (RFC 6455 5.2) without decoding them:
 * it reads each frame's header, skips its payload, and remembers whether a close frame's header has
 * passed and whether the stream stands between two frames. A {@link Tunnel} needs no more to pass closes on.
 */
final class FrameScan {

  private static final int OPCODE_CLOSE = 0x8;

  /** The longest header: 2 bytes, an 8-byte length, a 4-byte mask. */
  private final byte[] header = new byte[14];
  private int headerBytes;
  private long payloadLeft;
  private boolean closeSeen;

  /** Follows {@code data}, the next bytes of the stream. */
  void scan(Buffer data) {
    int length = data.length();
    int i = 0;
    while (i < length) {
      if (payloadLeft > 0) {
        int skipped = (int) Math.min(payloadLeft, length - i);
        payloadLeft -= skipped;
        i += skipped;
        continue;
      }
      header[headerBytes++] = data.getByte(i++);
      if (headerBytes >= 2 && headerBytes == headerLength()) {
        if ((header[0] & 0x0f) == OPCODE_CLOSE) {
          closeSeen = true;
        }
        payloadLeft = payloadLength();
        headerBytes = 0;
      }
    }
  }

  /** True once the header of a close frame has passed in this direction. */
  boolean closeSeen() {
    return closeSeen;
  }

  /** True when the stream so far ends with a whole frame (or is empty): a frame may be added here. */
  boolean betweenFrames() {
    return headerBytes == 0 && payloadLeft == 0;
  }

  private int headerLength() {
    int length7 = header[1] & 0x7f;
    int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    int mask = (header[1] & 0x80) != 0 ? 4 : 0;
    return 2 + extended + mask;
  }

  private long payloadLength() {
    int length7 = header[1] & 0x7f;
    if (length7 < 126) {
      return length7;
    }
    int bytes = length7 == 126 ? 2 : 8;
    long length = 0;
    for (int i = 0; i < bytes; i++) {
      length = length << 8 | (header[2 + i] & 0xff);
    }
    return length & Long.MAX_VALUE; // the top bit must be 0 (RFC 6455 5.2); a peer that sets it is not followed further
  }

  /** A close frame as a client sends it (masked, RFC 6455 5.3): {@code code} and a {@code reason} of at most 123 bytes. */
  static Buffer clientClose(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + text.length];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, text.length);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    return Buffer.buffer(6 + payload.length)
        .appendByte((byte) (0x80 | OPCODE_CLOSE))
        .appendByte((byte) (0x80 | payload.length))
        .appendBytes(mask)
        .appendBytes(payload);
  }
}
