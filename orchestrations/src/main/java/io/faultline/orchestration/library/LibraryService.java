package io.faultline.orchestration.library;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.state.StateFiles;
import io.faultline.orchestration.model.Names;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.model.Reporting;
import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.Requests;
import io.faultline.orchestration.parse.ScenarioNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What the library addresses do: list, get, put, delete, import from and export to a directory on the
 * node. Parsing and file work run off the event loop; the library itself is changed on it. Every change
 * is applied here and handed to {@code broadcast} (in a cluster, for every other node to apply with
 * {@link #applyRemote}).
 */
public final class LibraryService {

  private static final Logger LOG = Logger.getLogger(LibraryService.class.getName());

  private final Vertx vertx;
  private final Library library;
  /** The node's state directory (the library's parent), or null: exports into it are refused. */
  private final Path stateDir;
  private final Consumer<JsonObject> broadcast;
  /** What became of each entry's schedule the last time it came due (as the leader published it), by entry name. */
  private final Map<String, JsonObject> lastSchedule = new java.util.HashMap<>();

  /** {@code dir} may be null (the library in memory only); {@code broadcast} gets each change made here. */
  public LibraryService(Vertx vertx, Path dir, Consumer<JsonObject> broadcast) {
    this.vertx = vertx;
    this.library = new Library(dir);
    this.stateDir = dir == null ? null : dir.toAbsolutePath().normalize().getParent();
    this.broadcast = broadcast;
  }

  public Library library() {
    return library;
  }

  /** The text of entry {@code name}, or null. */
  public String text(String name) {
    return library.get(name);
  }

  /**
   * Reads the entries in the directory (off the event loop). One that no longer validates (a rule this
   * version added, a file edited by hand) is kept and listed as not valid, so it can be opened and mended:
   * leaving it out hid the user's work. Only a file whose name is no entry name is left out.
   */
  public Future<Void> load() {
    return vertx.executeBlocking(() -> {
      library.load((name, text) -> {
        if (!Names.valid(name)) {
          LOG.warning(() -> "library file " + name + " in the data directory was left out: its name is no entry name");
          return false;
        }
        OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
        if (!parsed.valid()) {
          LOG.warning(() -> "library entry " + name + " does not validate (" + problems(parsed).getString(0)
              + "): kept, listed as not valid; open it in the builder or validate it to mend it");
        }
        return true;
      });
      return null;
    });
  }

  /** The first problems of an entry that does not validate, as "path (line N): message". */
  private static JsonArray problems(OrchestrationParser.Result parsed) {
    return new JsonArray(parsed.problems().stream().limit(5)
        .map(p -> (p.path().isEmpty() ? "" : p.path() + " ") + "(line " + p.line() + "): " + p.message()).toList());
  }

  /**
   * Keeps what became of an entry's schedule ({@link io.faultline.orchestration.OrchestratorVerticle#SCHEDULED}):
   * list and get show it as {@code last_schedule}, so a skipped or refused scheduled run is seen, not only logged.
   */
  public void scheduled(JsonObject outcome) {
    if (outcome != null && Names.valid(outcome.getString("name"))) {
      JsonObject kept = outcome.copy();
      kept.remove("name");
      lastSchedule.put(outcome.getString("name"), kept);
    }
  }

  public Future<JsonObject> list() {
    Map<String, String> entries = new TreeMap<>(library.entries());
    Map<String, JsonObject> schedules = lastSchedules(entries);
    return vertx.executeBlocking(() -> {
      JsonArray list = new JsonArray();
      entries.forEach((name, text) -> {
        OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
        Orchestration o = parsed.orchestration();
        list.add((o == null ? new JsonObject().put("name", name).put("valid", false).put("problems", problems(parsed))
            : new JsonObject().put("name", name).put("valid", true).put("orchestration", o.name()).put("description", o.description())
            .put("tags", new JsonArray(o.tags())).put("schedule", o.schedule()).put("steps", o.steps().size()))
            .put("last_schedule", schedules.get(name)));
      });
      return new JsonObject().put("entries", list);
    }, false);
  }

  /** The entries that name scenario {@code {"scenario"}}: {@code {entries: [{name, schedule}]}} (a scenario's delete asks). */
  public Future<JsonObject> uses(JsonObject body) {
    String scenario = body == null ? null : body.getString("scenario");
    Map<String, String> entries = new TreeMap<>(library.entries());
    return vertx.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      entries.forEach((name, text) -> {
        OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
        if (parsed.scenarios().stream().anyMatch(ref -> ref.name().equals(scenario))) {
          out.add(new JsonObject().put("name", name).put("schedule", parsed.orchestration() == null ? null : parsed.orchestration().schedule()));
        }
      });
      return new JsonObject().put("entries", out);
    }, false);
  }

  public Future<JsonObject> get(JsonObject body) {
    String name = entryName(body);
    String text = existing(name);
    JsonObject last = lastSchedules(Map.of(name, text)).get(name);
    return vertx.executeBlocking(() -> { // read off the event loop, as the list is: an entry may be a megabyte
      OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
      JsonObject entry = new JsonObject().put("name", name).put("text", text).put("valid", parsed.valid()).put("last_schedule", last);
      return parsed.valid() ? entry : entry.put("problems", problems(parsed));
    }, false);
  }

  /**
   * Stores {@code text} under {@code name}, or, without one, under the orchestration's own name (made a
   * usable entry name: spaces and other characters become {@code _}). {@code format} ({@code yaml} or
   * {@code json}), when given, must be what the text is. The answer says so in reference 003's words too
   * ({@code message}).
   */
  public Future<JsonObject> put(JsonObject body) {
    String given = body == null || body.getValue("name") == null ? null : entryName(body);
    String text = Requests.text(body);
    checkFormat(body, text);
    return Parsing.valid(vertx, text).compose(parsed -> unknownScenarios(parsed).map(unknown -> {
      Orchestration o = parsed.orchestration();
      if (o.schedule() != null && !unknown.isEmpty()) {
        // unattended, it would fail every time its minute comes: refused, as a start would be
        throw new ChaosConfigException(unknown.get(0).path(), "the entry is scheduled (" + o.schedule() + ") but cannot run: " + unknown.get(0));
      }
      String name = given != null ? given : Names.from(o.name());
      if (name == null) {
        throw new ChaosConfigException("name", "the orchestration's name " + o.name() + " makes no usable entry name; give one");
      }
      String held = given == null ? library.get(name) : null;
      if (held != null && OrchestrationParser.parse(held).valid() && !OrchestrationParser.parse(held).orchestration().name().equals(o.name())) {
        // names that differ may make the same entry name (a/b and a?b both a_b): one must not silently replace the other
        throw new ChaosConfigException("name", "the entry " + name + ", made from the orchestration's name " + o.name()
            + ", already holds another orchestration (" + OrchestrationParser.parse(held).orchestration().name()
            + "); give a name to keep both, or that one to replace it");
      }
      change(library.localChange(name, text));
      JsonObject stored = new JsonObject().put("name", name).put("orchestration", o.name()).put("schedule", o.schedule())
          .put("message", "Orchestration '" + o.name() + "' " + (given == null ? "imported" : "stored") + " successfully ("
              + o.steps().size() + (o.steps().size() == 1 ? " step)" : " steps)") + (name.equals(o.name()) ? "" : " as " + name));
      List<String> warnings = new ArrayList<>(unknown.stream().map(p -> p + "; a start fails until it exists").toList());
      parsed.warnings().forEach(w -> warnings.add(w.path() + ": " + w.message()));
      if (!warnings.isEmpty()) {
        stored.put("warnings", new JsonArray(warnings));
      }
      return stored;
    }));
  }

  /**
   * The scenario names the orchestration gives that this node lacks (saved later, they may be fine: a
   * warning, unless the entry runs on a schedule). Without an answer from the chaos control, none.
   */
  private Future<List<Problem>> unknownScenarios(OrchestrationParser.Result parsed) {
    if (parsed.scenarios().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return ScenarioNames.onNode(vertx.eventBus()).map(known -> ScenarioNames.unknown(parsed.scenarios(), known))
        .otherwise(List.of());
  }

  private static void checkFormat(JsonObject body, String text) {
    Object format = body.getValue("format");
    if (format == null) {
      return;
    }
    if (!"yaml".equals(format) && !"json".equals(format)) {
      throw new ChaosConfigException("format", "must be yaml or json, got " + format);
    }
    if ("json".equals(format) && !text.stripLeading().startsWith("{")) {
      throw new ChaosConfigException("format", "is json, but the content is not a JSON object");
    }
  }

  public Future<JsonObject> delete(JsonObject body) {
    String name = entryName(body);
    existing(name);
    change(library.localChange(name, null));
    return Future.succeededFuture(new JsonObject().put("deleted", name));
  }

  /** Every valid {@code .yaml}, {@code .yml} and {@code .json} file of {@code dir} becomes an entry named after it. */
  public Future<JsonObject> importDir(JsonObject body) {
    // any other field is refused, naming it: a {"dry_run": true} was a real import
    Path dir = Path.of(Requests.required(io.faultline.chaos.control.MessageFields.only(body, "dir"), "dir"));
    JsonArray rejected = new JsonArray();
    // the node's scenarios, for the scheduled entries (null when the chaos control does not answer: not checked)
    Future<java.util.Set<String>> known = ScenarioNames.onNode(vertx.eventBus()).otherwise((java.util.Set<String>) null);
    return known.compose(scenarios -> vertx.executeBlocking(() -> {
      if (!Files.isDirectory(dir)) {
        throw new ChaosConfigException("dir", "is not a directory on this node: " + dir);
      }
      List<Library.File> usable = new ArrayList<>();
      try {
        List<Library.File> files = Library.files(dir);
        Map<String, List<String>> byEntry = new TreeMap<>();
        files.forEach(file -> byEntry.computeIfAbsent(file.name(), n -> new ArrayList<>()).add(file.base()));
        for (Library.File file : files) {
          List<String> same = byEntry.get(file.name());
          if (same.size() > 1) {
            // which is the entry cannot be told (an earlier export in another format, a copy): none is taken
            rejected.add(new JsonObject().put("file", file.base()).put("problems", new JsonArray().add(String.join(" and ", same)
                + " all stand for entry " + file.name() + ": keep one of them and import again")));
            continue;
          }
          if (file.unreadable() != null) {
            rejected.add(new JsonObject().put("file", file.base()).put("problems", new JsonArray().add(file.unreadable())));
            continue;
          }
          OrchestrationParser.Result parsed = OrchestrationParser.parse(file.text());
          boolean nameOk = Names.valid(file.name());
          // as a put refuses it: a scheduled entry that names a scenario the node lacks would fail every time
          List<Problem> unrunnable = parsed.valid() && parsed.orchestration().schedule() != null && scenarios != null
              ? ScenarioNames.unknown(parsed.scenarios(), scenarios) : List.of();
          if (parsed.valid() && nameOk && unrunnable.isEmpty()) {
            usable.add(file);
            continue;
          }
          JsonArray problems = new JsonArray();
          parsed.problems().forEach(p -> problems.add(p.toString()));
          unrunnable.forEach(p -> problems.add("the entry is scheduled (" + parsed.orchestration().schedule() + ") but cannot run: " + p));
          if (!nameOk) {
            problems.add("the file name is not a usable entry name (1-64 letters, digits, '_', '-', '.', not starting with '.')");
          }
          rejected.add(new JsonObject().put("file", file.base()).put("problems", problems));
        }
      } catch (IOException e) {
        throw new ChaosConfigException("dir", "could not read " + dir + ": " + e.getMessage());
      }
      return usable;
    }, false)).map(usable -> {
      JsonArray imported = new JsonArray();
      usable.forEach(file -> {
        change(library.localChange(file.name(), file.text()));
        imported.add(file.name());
      });
      return new JsonObject().put("imported", imported).put("rejected", rejected);
    });
  }

  public Future<JsonObject> exportDir(JsonObject body) {
    Path dir = Path.of(Requests.required(io.faultline.chaos.control.MessageFields.only(body, "dir"), "dir"));
    Map<String, String> entries = new TreeMap<>(library.entries());
    return vertx.executeBlocking(() -> {
      if (stateDir != null) {
        // the node's own files (scenarios.json, the library's, the reports) would be overwritten by entries named
        // like them; compared as the file system resolves them, so a link to one of them is one of them
        Path target = real(dir);
        Path state = real(stateDir);
        if (target.equals(state) || Reporting.OWN_DIRECTORIES.stream().anyMatch(own -> target.startsWith(state.resolve(own)))) {
          throw new ChaosConfigException("dir", "is the node's state directory " + stateDir + " or in its library/, reports/ or runs-open/"
              + (target.equals(dir.toAbsolutePath().normalize()) ? "" : " (" + dir + " leads to " + target + ")")
              + ", whose files an entry's could overwrite: export elsewhere (a new directory inside it is fine)");
        }
      }
      JsonArray exported = new JsonArray();
      try {
        Files.createDirectories(dir);
        for (var entry : entries.entrySet()) {
          Path file = dir.resolve(entry.getKey() + Library.extension(entry.getValue()));
          // through a file moved into place: a link planted at the name is replaced, not written through (one
          // to the node's scenarios.json overwrote it, and the node no longer started)
          StateFiles.replace(file, temporary -> {
            Files.writeString(temporary, entry.getValue());
            // readable as a file written in place would be (the temporary file is the node's alone)
            readableByAll(temporary);
          });
          exported.add(file.toString());
        }
      } catch (IOException e) {
        throw new ChaosConfigException("dir", "could not write to " + dir + ": " + e.getMessage());
      }
      return new JsonObject().put("exported", exported);
    }, false);
  }

  /** {@code path} with its symbolic links followed: its nearest existing ancestor's real path, and the rest as given. */
  private static Path real(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute));
    } catch (IOException e) {
      return absolute;
    }
  }

  /**
   * A change that came over the event bus (from another node, or a script on the bridge) is applied only
   * if it names an entry properly, carries a time and, unless it deletes, a valid orchestration.
   */
  public void applyRemote(JsonObject change) {
    usable(List.of(change)).onSuccess(ok -> ok.forEach(this::applied));
  }

  /** Applies what another node holds; answers the changes only this node holds, for the others. */
  public Future<List<JsonObject>> merge(JsonArray theirs) {
    List<JsonObject> changes = new ArrayList<>();
    theirs.forEach(c -> {
      if (c instanceof JsonObject change) {
        changes.add(change);
      }
    });
    return usable(changes).map(ok -> library.merge(new JsonArray(new ArrayList<>(ok))));
  }

  /** Applies a change; a deleted entry's schedule outcome goes with it (one made again under its name starts afresh). */
  private void applied(JsonObject change) {
    if (library.apply(change) && change.getValue("text") == null) {
      lastSchedule.remove(change.getString("name"));
    }
  }

  public JsonArray snapshot() {
    return library.snapshot();
  }

  /** The changes of {@code changes} that are usable, checked off the event loop. */
  private Future<List<JsonObject>> usable(List<JsonObject> changes) {
    return vertx.executeBlocking(() -> changes.stream().filter(LibraryService::usable).toList(), false);
  }

  private static boolean usable(JsonObject change) {
    String name = change.getValue("name") instanceof String n ? n : null;
    Object text = change.getValue("text");
    boolean ok = Names.valid(name) && change.getValue("at") instanceof Number
        && (text == null || text instanceof String t && OrchestrationParser.parse(t).valid());
    if (!ok) {
      String shown = change.encode();
      LOG.warning(() -> "library change ignored: not a valid entry: " + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown));
    }
    return ok;
  }

  /** The kept schedule outcomes of {@code entries}, as copies for use off the event loop. */
  private Map<String, JsonObject> lastSchedules(Map<String, String> entries) {
    Map<String, JsonObject> copies = new java.util.HashMap<>();
    entries.keySet().forEach(name -> {
      JsonObject last = lastSchedule.get(name);
      if (last != null) {
        copies.put(name, last.copy());
      }
    });
    return copies;
  }

  private void change(JsonObject change) {
    applied(change);
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
    return Names.check(Requests.required(body, "name"), "name");
  }

  /** rw-r--r--, where the file system has POSIX permissions: an export goes to a directory others read (a checkout, a CI volume). */
  private static void readableByAll(Path file) throws IOException {
    if (Files.getFileStore(file).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
