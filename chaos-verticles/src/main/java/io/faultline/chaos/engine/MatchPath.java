package io.faultline.chaos.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path a rule's {@code match.path} is tested against: the request's path as its upstream reads it,
 * the way nginx matches locations. Percent-escapes are decoded, {@code .} and {@code ..} segments resolved
 * and repeated slashes merged, so {@code /%66oo}, {@code //foo} and {@code /x/../foo} all match a rule on
 * {@code /foo} (they reached the upstream's {@code /foo} untouched). A path with none of these comes back
 * as it is, after one scan and no allocation. The request is forwarded with its path as sent.
 */
public final class MatchPath {

  private MatchPath() {
  }

  /**
   * {@code raw} as its client wrote it, for people to read (the flight recorder, traces): the server reads a
   * request line one byte a character, so raw UTF-8 ({@code café}, bytes C3 A9) reads as {@code cafÃ©};
   * those characters are read again as the UTF-8 they were. Escapes stay as written; ASCII comes back as it is.
   */
  public static String readable(String raw) {
    if (raw == null) {
      return null;
    }
    boolean high = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c > 0xFF) {
        return raw; // not a request line's bytes (a gRPC method, a WebSocket path Vert.x decoded): as it is
      }
      high |= c > 0x7F;
    }
    return high ? new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : raw;
  }

  public static String of(String raw) {
    if (raw == null || plain(raw)) {
      return raw;
    }
    return segments(decode(raw));
  }

  /** {@code decoded} with its {@code .} and {@code ..} segments resolved and repeated slashes merged, from the root. */
  private static String segments(String decoded) {
    boolean trailing = decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
    List<String> segments = new ArrayList<>();
    for (String given : decoded.split("/")) {
      String segment = dotted(given);
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }
    String path = "/" + String.join("/", segments);
    return trailing && !path.equals("/") ? path + "/" : path;
  }

  /**
   * A rule's or route's path pattern read as {@link #of} reads request paths: its percent-escapes decoded, its {@code .}
   * and {@code ..} segments resolved and repeated slashes merged, so {@code /files/my%20report.pdf} matches the request that names it (the request's path is decoded,
   * the pattern was not, and never matched). Its characters beyond ASCII are characters, not a request line's bytes;
   * its {@code *} and {@code **} stay globs.
   */
  public static String pattern(String glob) {
    if (glob.indexOf('%') < 0 && glob.indexOf("//") < 0 && glob.indexOf("/.") < 0) {
      return glob;
    }
    String decoded = glob.indexOf('%') < 0 ? glob : decode(glob, false);
    // from the root, its dot segments resolved as a request's are; a pattern starting with ** or */ has no root to resolve from
    return decoded.startsWith("/") ? segments(decoded) : decoded.replaceAll("/{2,}", "/");
  }

  /**
   * Whether {@code raw} (a request's path) climbs above the root with {@code ..} segments, escaped or not
   * ({@code /../etc}, {@code /%2e%2e/x}, {@code /a/../../b}): an upstream under a base path would be asked
   * for what lies outside it. nginx refuses such a request (400); so do the listeners.
   */
  public static boolean climbsAboveRoot(String raw) {
    if (raw == null || raw.indexOf("..") < 0 && !escapedDot(raw)) {
      return false; // no segment can be "..": one scan, no allocation (a file name's dot costs nothing)
    }
    int depth = 0;
    for (String given : decode(raw).split("/")) {
      String segment = dotted(given);
      if (segment.equals("..")) {
        if (--depth < 0) {
          return true;
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        depth++;
      }
    }
    return false;
  }

  /**
   * {@code segment}, or the dot segment it is with parameters ({@code ..;x}, {@code .;x}): Tomcat and Jetty read {@code
   * /api/..;/actuator} as {@code /actuator}, so {@code /..;/actuator} reached outside an upstream's base path, and a rule
   * on {@code /actuator/**} did not see {@code /a/..;/actuator/env}.
   */
  private static String dotted(String segment) {
    int parameters = segment.indexOf(';');
    if (parameters < 0) {
      return segment;
    }
    String name = segment.substring(0, parameters);
    return name.equals("..") || name.equals(".") ? name : segment;
  }

  /** Whether {@code raw} holds {@code %2e} or {@code %2E}, an escaped dot. */
  private static boolean escapedDot(String raw) {
    for (int i = raw.indexOf('%'); i >= 0 && i + 2 < raw.length(); i = raw.indexOf('%', i + 1)) {
      if (raw.charAt(i + 1) == '2' && (raw.charAt(i + 2) == 'e' || raw.charAt(i + 2) == 'E')) {
        return true;
      }
    }
    return false;
  }

  /** No escape, no {@code //}, no {@code /.}, nothing above ASCII: nothing to normalise. */
  private static boolean plain(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' || c > 0x7F || c == '/' && i + 1 < raw.length() && (raw.charAt(i + 1) == '/' || raw.charAt(i + 1) == '.')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Percent-escapes decoded as UTF-8 bytes; a malformed one ({@code %zz}, a cut {@code %4}) is kept as written.
   * A character above ASCII is a byte the client sent raw (the server reads a request line one byte a
   * character): a raw {@code café} is the same bytes as {@code caf%C3%A9}, and matches a rule on {@code /café}.
   */
  private static String decode(String raw) {
    return decode(raw, true);
  }

  /** As {@link #decode(String)}; {@code requestLine} false reads characters above ASCII as characters (a config's text). */
  private static String decode(String raw, boolean requestLine) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    int i = 0;
    while (i < raw.length()) {
      int hi = raw.charAt(i) == '%' && i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (hi >= 0 && lo >= 0) {
        bytes.write(hi * 16 + lo);
        i += 3;
      } else if (requestLine && raw.charAt(i) > 0x7F && raw.charAt(i) <= 0xFF) {
        bytes.write(raw.charAt(i));
        i++;
      } else {
        int codePoint = raw.codePointAt(i);
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
        i += Character.charCount(codePoint);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
