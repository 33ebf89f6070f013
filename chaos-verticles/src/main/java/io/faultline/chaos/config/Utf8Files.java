package io.faultline.chaos.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file users wrote (a config, an orchestration). One saved in another encoding (Latin-1, an
 * editor's Windows default) is refused with the line and column of its first byte that is not UTF-8,
 * where {@link Files#readString} says only "Input length = 1".
 */
public final class Utf8Files {

  private Utf8Files() {
  }

  /** The file's text; {@link NotUtf8} names where it stops being UTF-8. */
  public static String read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new NotUtf8(file, bytes, in.position());
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /** A file that is not UTF-8 text, with the line and column (both from 1, the column in bytes) of its first bad byte. */
  public static final class NotUtf8 extends CharacterCodingException {
    private final String message;

    NotUtf8(Path file, byte[] bytes, int at) {
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      this.message = file + " line " + line + ", column " + (at - lineStart + 1) + ": byte 0x"
          + String.format("%02X", bytes[at] & 0xff) + " is not UTF-8; save the file as UTF-8";
    }

    @Override
    public String getMessage() {
      return message;
    }
  }
}
