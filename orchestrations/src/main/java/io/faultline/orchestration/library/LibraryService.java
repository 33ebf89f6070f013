package io.faultline.orchestration.library;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.parse.Requests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What the library addresses do: list, get, put, delete, import from and export to a directory on the
 * node. Every change is applied here and handed to {@code broadcast} (in a cluster, for every other
 * node to apply with {@link #applyRemote}).
 */
public final class LibraryService {

  /** What a library entry may be called (it becomes a file name). */
  public static final String ENTRY_NAME = "[A-Za-z0-9_.-]{1,64}";
  private static final Logger LOG = Logger.getLogger(LibraryService.class.getName());

  private final Library library;
  private final Consumer<JsonObject> broadcast;

  /** {@code dir} may be null (the library in memory only); {@code broadcast} gets each change made here. */
  public LibraryService(Path dir, Consumer<JsonObject> broadcast) {
    this.library = new Library(dir);
    this.broadcast = broadcast;
  }

  public Library library() {
    return library;
  }

  /** The text of entry {@code name}, or null. */
  public String text(String name) {
    return library.get(name);
  }

  /** Reads the entries in the directory (off the event loop), leaving out the ones that are not valid. */
  public Future<Void> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      library.load((name, text) -> {
        boolean usable = name.matches(ENTRY_NAME) && OrchestrationParser.parse(text).valid();
        if (!usable) {
          LOG.warning(() -> "library entry " + name + " in the data directory is not valid and was left out (validate it)");
        }
        return usable;
      });
      return null;
    });
  }

  public JsonObject list() {
    JsonArray entries = new JsonArray();
    library.entries().forEach((name, text) -> {
      Orchestration o = OrchestrationParser.parse(text).orchestration();
      entries.add(new JsonObject().put("name", name).put("orchestration", o.name()).put("description", o.description())
          .put("tags", new JsonArray(o.tags())).put("schedule", o.schedule()).put("steps", o.steps().size()));
    });
    return new JsonObject().put("entries", entries);
  }

  public JsonObject get(JsonObject body) {
    String name = entryName(body);
    return new JsonObject().put("name", name).put("text", existing(name));
  }

  public JsonObject put(JsonObject body) {
    String name = entryName(body);
    String text = Requests.text(body);
    OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
    if (!parsed.valid()) {
      throw Requests.invalid(parsed);
    }
    change(Library.change(name, text));
    return new JsonObject().put("name", name).put("orchestration", parsed.orchestration().name())
        .put("schedule", parsed.orchestration().schedule());
  }

  public JsonObject delete(JsonObject body) {
    String name = entryName(body);
    existing(name);
    change(Library.change(name, null));
    return new JsonObject().put("deleted", name);
  }

  /** Every valid {@code .yaml}, {@code .yml} and {@code .json} file of {@code dir} becomes an entry named after it. */
  public JsonObject importDir(JsonObject body) {
    Path dir = Path.of(Requests.required(body, "dir"));
    if (!Files.isDirectory(dir)) {
      throw new ChaosConfigException("dir", "is not a directory on this node: " + dir);
    }
    JsonArray imported = new JsonArray();
    JsonArray rejected = new JsonArray();
    try {
      for (Library.File file : Library.files(dir)) {
        OrchestrationParser.Result parsed = OrchestrationParser.parse(file.text());
        boolean nameOk = file.name().matches(ENTRY_NAME);
        if (!parsed.valid() || !nameOk) {
          JsonArray problems = new JsonArray();
          parsed.problems().forEach(p -> problems.add(p.toString()));
          if (!nameOk) {
            problems.add("the file name is not a usable entry name (letters, digits, '_', '-', '.')");
          }
          rejected.add(new JsonObject().put("file", file.base()).put("problems", problems));
          continue;
        }
        change(Library.change(file.name(), file.text()));
        imported.add(file.name());
      }
    } catch (IOException e) {
      throw new ChaosConfigException("dir", "could not read " + dir + ": " + e.getMessage());
    }
    return new JsonObject().put("imported", imported).put("rejected", rejected);
  }

  public JsonObject exportDir(JsonObject body) {
    Path dir = Path.of(Requests.required(body, "dir"));
    JsonArray exported = new JsonArray();
    try {
      Files.createDirectories(dir);
      for (var entry : library.entries().entrySet()) {
        Path file = dir.resolve(entry.getKey() + Library.extension(entry.getValue()));
        Files.writeString(file, entry.getValue());
        exported.add(file.toString());
      }
    } catch (IOException e) {
      throw new ChaosConfigException("dir", "could not write to " + dir + ": " + e.getMessage());
    }
    return new JsonObject().put("exported", exported);
  }

  /**
   * A change that came over the event bus (from another node, or a script on the bridge) is applied only
   * if it names an entry properly, carries a time and, unless it deletes, a valid orchestration.
   */
  public void applyRemote(JsonObject change) {
    if (usable(change)) {
      library.apply(change);
    }
  }

  /** Applies what another node holds; answers the changes only this node holds, for the others. */
  public List<JsonObject> merge(JsonArray theirs) {
    JsonArray usable = new JsonArray();
    theirs.forEach(c -> {
      if (c instanceof JsonObject change && usable(change)) {
        usable.add(change);
      }
    });
    return library.merge(usable);
  }

  public JsonArray snapshot() {
    return library.snapshot();
  }

  private static boolean usable(JsonObject change) {
    String name = change.getValue("name") instanceof String n ? n : null;
    Object text = change.getValue("text");
    boolean ok = name != null && name.matches(ENTRY_NAME) && change.getValue("at") instanceof Number
        && (text == null || text instanceof String t && OrchestrationParser.parse(t).valid());
    if (!ok) {
      LOG.warning(() -> "library change ignored: not a valid entry: " + change.encode());
    }
    return ok;
  }

  private void change(JsonObject change) {
    library.apply(change);
    broadcast.accept(change);
  }

  private String existing(String name) {
    String text = library.get(name);
    if (text == null) {
      throw new ChaosState.NotFound("name", "no library entry named " + name);
    }
    return text;
  }

  /** The entry name of a request, refused unless it is a usable one. */
  public static String entryName(JsonObject body) {
    String name = Requests.required(body, "name");
    if (!name.matches(ENTRY_NAME)) {
      throw new ChaosConfigException("name", "must be 1-64 letters, digits, '_', '-' or '.', got " + name);
    }
    return name;
  }
}
