package io.faultline.orchestration.library;

import io.faultline.chaos.config.Utf8Files;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.state.StateFiles;
import io.faultline.orchestration.model.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * A node's orchestration library: named orchestration texts, each with the time it last changed, kept
 * in {@code dir} (one file per entry, its modification time the change time) when there is one.
 *
 * <p>Every change is a {@code {"name", "text", "at"}} record ({@code text} null for a delete) that any
 * node can apply: the newer change wins (ties by text, so every node picks the same), which makes
 * nodes that see the same changes, in any order, hold the same library. Deletes are remembered as long
 * as the node runs, so an older copy that comes back later cannot revive an entry.
 */
public final class Library {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Library.class.getName());

  private final Path dir;
  private final SortedMap<String, String> texts = new TreeMap<>();
  private final Map<String, Long> changedAt = new HashMap<>();
  private final Map<String, Long> deletedAt = new HashMap<>();

  public Library(Path dir) {
    this.dir = dir;
  }

  /** The entries by name (a read-only view). */
  public SortedMap<String, String> entries() {
    return Collections.unmodifiableSortedMap(texts);
  }

  public String get(String name) {
    return texts.get(name);
  }

  /**
   * A change made on this node now, dated after what this library knows of the entry: a file dated ahead
   * of the clock (copied with its time from a machine whose clock was ahead, or the clock stepped back)
   * would otherwise make every edit and delete of it older, answered as done and ignored.
   */
  public JsonObject localChange(String name, String text) {
    JsonObject change = new JsonObject().put("name", name).put("text", text).put("at", System.currentTimeMillis());
    JsonObject known = record(name);
    if (known != null && known.getLong("at") >= change.getLong("at")) {
      change.put("at", known.getLong("at") + 1);
    }
    return change;
  }

  /** Applies {@code change} if it is newer than what this library knows of its entry; answers whether it did. */
  public boolean apply(JsonObject change) {
    String name = change.getString("name");
    JsonObject known = record(name);
    if (known != null && !newer(change, known)) {
      return false;
    }
    String text = change.getString("text");
    long at = change.getLong("at");
    // the file first: one that cannot be written leaves the entry as it was, on disk and here
    if (text == null) {
      delete(name, null);
      texts.remove(name);
      changedAt.remove(name);
      deletedAt.put(name, at);
    } else {
      write(name, text, at);
      texts.put(name, text);
      changedAt.put(name, at);
      deletedAt.remove(name);
    }
    return true;
  }

  /** What this library knows of {@code name} as a change, or null. */
  private JsonObject record(String name) {
    if (texts.containsKey(name)) {
      return new JsonObject().put("name", name).put("text", texts.get(name)).put("at", changedAt.get(name));
    }
    Long deleted = deletedAt.get(name);
    return deleted == null ? null : new JsonObject().put("name", name).putNull("text").put("at", deleted);
  }

  /**
   * Whether change {@code a} wins over change {@code b} of the same entry: the later one; at the same
   * time the greater text, and any text over a delete, so every node picks the same.
   */
  static boolean newer(JsonObject a, JsonObject b) {
    long x = a.getLong("at");
    long y = b.getLong("at");
    if (x != y) {
      return x > y;
    }
    String ta = a.getString("text");
    String tb = b.getString("text");
    return ta != null && (tb == null || ta.compareTo(tb) > 0);
  }

  /** Every entry and every remembered delete, as changes. */
  public JsonArray snapshot() {
    JsonArray changes = new JsonArray();
    texts.forEach((name, text) -> changes.add(new JsonObject().put("name", name).put("text", text).put("at", changedAt.get(name))));
    deletedAt.forEach((name, at) -> changes.add(new JsonObject().put("name", name).putNull("text").put("at", at)));
    return changes;
  }

  /** Applies {@code other}'s snapshot; answers the changes this library holds that {@code other} lacks (newer or unknown there). */
  public List<JsonObject> merge(JsonArray other) {
    Map<String, JsonObject> theirs = new HashMap<>();
    other.forEach(o -> theirs.put(((JsonObject) o).getString("name"), (JsonObject) o));
    List<JsonObject> missing = new ArrayList<>();
    snapshot().forEach(o -> {
      JsonObject mine = (JsonObject) o;
      JsonObject their = theirs.get(mine.getString("name"));
      if (their == null || newer(mine, their)) {
        missing.add(mine);
      }
    });
    theirs.values().forEach(this::apply);
    return missing;
  }

  /** Reads the entries in {@code dir} that {@code accept} takes, dated by their files' modification times. */
  public void load(BiPredicate<String, String> accept) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    for (File file : files(dir)) {
      if (file.unreadable() != null) {
        LOG.warning(() -> "library file left out: " + file.unreadable());
      } else if (accept.test(file.name(), file.text())) {
        texts.put(file.name(), file.text());
        changedAt.put(file.name(), file.modifiedMs());
      }
    }
  }

  /**
   * An orchestration file of a directory: its file name, the entry name it stands for, its text and when it
   * changed; {@code unreadable} says why its text is empty (it is not UTF-8), else null.
   */
  public record File(String base, String name, String text, long modifiedMs, String unreadable) {
  }

  /** Every {@code .yaml}, {@code .yml} and {@code .json} file of {@code dir}, by file name. */
  public static List<File> files(Path dir) throws IOException {
    List<File> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String base = file.getFileName().toString();
        if (base.matches(".*\\.(ya?ml|json)") && Files.isRegularFile(file)) { // a directory so named is no entry
          String text = "";
          String unreadable = null;
          try {
            text = Utf8Files.read(file);
          } catch (Utf8Files.NotUtf8 e) {
            unreadable = e.getMessage();
          } catch (IOException e) {
            unreadable = "cannot read " + file + " (" + e + ")"; // one unreadable file must not keep the others out
          }
          out.add(new File(base, base.replaceFirst("\\.(ya?ml|json)$", ""), text, Files.getLastModifiedTime(file).toMillis(), unreadable));
        }
      }
    }
    return out;
  }

  public static String extension(String text) {
    return text.stripLeading().startsWith("{") ? ".json" : ".yaml";
  }

  /**
   * Writes the entry's file whole beside it, then moves it into place in one step, so a failed write (a
   * full disk) leaves the last good version and never a cut one; then removes its files in the other
   * formats (a YAML entry stored as JSON, a hand-placed {@code .yml}).
   */
  private void write(String name, String text, long at) {
    if (dir == null) {
      return;
    }
    Path file = Names.inside(dir, name + extension(text), "name");
    try {
      StateFiles.replace(file, temporary -> {
        Files.writeString(temporary, text);
        Files.setLastModifiedTime(temporary, FileTime.fromMillis(at));
      });
    } catch (IOException e) {
      throw new ControlError.NotStored("name", "library entry " + name + " not stored, nothing changed: cannot write " + file + " (" + e + ")", e);
    }
    delete(name, file);
  }

  /** Removes the entry's files ({@code .yaml}, {@code .yml}, {@code .json}) but {@code keep}. */
  private void delete(String name, Path keep) {
    if (dir == null) {
      return;
    }
    try {
      for (String ext : List.of(".yaml", ".yml", ".json")) {
        Path file = Names.inside(dir, name + ext, "name");
        if (!file.equals(keep) && !Files.isDirectory(file)) { // a directory so named is not the entry's: never read, never removed
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      throw new ControlError.NotStored("name", "library entry " + name + " not deleted: cannot remove its file from " + dir + " (" + e + ")", e);
    }
  }
}
