package io.faultline.chaos.engine;

import java.util.regex.Pattern;

/**
 * Path, host and header patterns. A path with no wildcard is a prefix on segment boundaries
 * ({@code /api} matches {@code /api} and {@code /api/x}, not {@code /apix}); otherwise {@code *} matches
 * within one segment, {@code **} across segments and {@code ?} one character.
 */
public final class Glob {

  private final String prefix;
  private final Pattern pattern;

  private Glob(String prefix, Pattern pattern) {
    this.prefix = prefix;
    this.pattern = pattern;
  }

  public static Glob path(String glob) {
    if (glob.indexOf('*') < 0 && glob.indexOf('?') < 0) {
      String p = glob.endsWith("/") && glob.length() > 1 ? glob.substring(0, glob.length() - 1) : glob;
      return new Glob(p, null);
    }
    return new Glob(null, compile(glob, "[^/]"));
  }

  /** A whole-value glob where {@code *} matches anything. */
  public static Glob value(String glob) {
    return new Glob(null, compile(glob.replace("**", "*"), "."));
  }

  public boolean matches(String value) {
    if (value == null) {
      return false;
    }
    if (pattern != null) {
      return pattern.matcher(value).matches();
    }
    if (prefix.equals("/")) {
      return value.startsWith("/");
    }
    return value.startsWith(prefix) && (value.length() == prefix.length() || value.charAt(prefix.length()) == '/');
  }

  private static Pattern compile(String glob, String one) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append(one).append('*');
        }
      } else if (c == '?') {
        re.append(one);
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
