package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The TCP event-bus bridge: a raw client, and the README's Python and Node scripts, against a real node. */
class BridgeTest {

  private static final Path SCRIPTS = Path.of("..", "deploy", "scripts");

  @Test
  void aScriptsMessagesReachTheControlPlaneAndOtherAddressesAreRefused() throws Exception {
    int port = Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port)));
         Wire bridge = Wire.open(port)) {
      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.enable").put("replyAddress", "r-1")
          .put("body", new JsonObject()));
      JsonObject reply = bridge.read();
      assertThat(reply.getString("address")).isEqualTo("r-1");
      assertThat(reply.getJsonObject("body").getBoolean("enabled")).isTrue();
      assertThat(gw.status().getBoolean("enabled")).isTrue();

      bridge.write(new JsonObject().put("type", "send").put("address", "vertx.internal.thing").put("replyAddress", "r-2")
          .put("body", new JsonObject()));
      JsonObject refused = bridge.read();
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getString("message")).isEqualTo("access_denied");

      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.scenario.start").put("replyAddress", "r-3")
          .put("body", new JsonObject().put("name", "nope")));
      JsonObject failed = bridge.read();
      assertThat(failed.getString("address")).isEqualTo("r-3");
      assertThat(failed.getInteger("failureCode")).isEqualTo(404);

      // a message with no body at all is a 400 naming what it lacks (rules.replace's was a 500, a NullPointerException)
      for (String[] lacking : new String[][] {{"faultline.chaos.rules.replace", "rule"}, {"faultline.chaos.rules.remove", "name"},
          {"faultline.scenario.start", "name"}, {"faultline.chaos.set", "body"}, {"faultline.listeners.add", "body"}}) {
        bridge.write(new JsonObject().put("type", "send").put("address", lacking[0]).put("replyAddress", "r-" + lacking[0]));
        JsonObject bodiless = bridge.read();
        assertThat(bodiless.getInteger("failureCode")).as(lacking[0]).isEqualTo(400);
        assertThat(new JsonObject(bodiless.getString("message")).getString("field")).as(lacking[0]).isEqualTo(lacking[1]);
      }
    }
  }

  @Test
  void withAnAdminTokenEveryFrameNeedsItAndInternalAddressesStayClosed() throws Exception {
    int port = Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port), Flag.ADMIN_TOKEN, "s3cret"));
         Wire bridge = Wire.open(port)) {
      gw.token = "s3cret";
      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.enable").put("replyAddress", "r-1"));
      JsonObject anonymous = bridge.read();
      assertThat(anonymous.getString("message")).isEqualTo("unauthorized");
      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.enable").put("replyAddress", "r-2")
          .put("headers", new JsonObject().put("authorization", "Bearer wrong")));
      assertThat(bridge.read().getString("message")).isEqualTo("unauthorized");
      assertThat(gw.status().getBoolean("enabled")).as("nothing got through").isFalse();
      JsonObject auth = new JsonObject().put("authorization", "Bearer s3cret");
      for (String internal : List.of("faultline.chaos.rebase", "faultline.cluster.state", "faultline.orchestration.report.kept",
          "faultline.orchestration.library.import", "faultline.orchestration.library.export")) {
        bridge.write(new JsonObject().put("type", "send").put("address", internal).put("replyAddress", "r-x").put("headers", auth)
            .put("body", new JsonObject()));
        assertThat(bridge.read().getString("message")).as(internal).isEqualTo("access_denied");
      }
      bridge.write(new JsonObject().put("type", "register").put("address", "faultline.cluster.state").put("headers", auth));
      assertThat(bridge.read().getString("message")).isEqualTo("access_denied");
      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.enable").put("replyAddress", "r-3")
          .put("headers", auth.copy().put("faultline-source", "console")));
      assertThat(bridge.read().getJsonObject("body").getBoolean("enabled")).isTrue();
      JsonObject change = gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
      assertThat(change.getString("source")).as("a script cannot pass itself off as another source").isEqualTo("bridge");
    }
  }

  @Test
  void historyRecorderAndAnalyticsAnswerScriptsAndARunsRecordCanBeListenedTo() throws Exception {
    int port = Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port)));
         Wire bridge = Wire.open(port)) {
      Map<String, String> answers = Map.of(
          "faultline.history.summary", "runs",
          "faultline.history.runs", "runs",
          "faultline.history.changes", "changes",
          "faultline.recorder.search", "records",
          "faultline.analytics.health", "score",
          "faultline.chaos.changes", "changes");
      for (Map.Entry<String, String> query : answers.entrySet()) {
        bridge.write(new JsonObject().put("type", "send").put("address", query.getKey()).put("replyAddress", "r-" + query.getKey())
            // a limit where the address takes one: the others refuse a field they do not know
            .put("body", Set.of("faultline.history.summary", "faultline.analytics.health").contains(query.getKey())
                ? new JsonObject() : new JsonObject().put("limit", 5)));
        JsonObject reply = bridge.read();
        assertThat(reply.getString("type")).as(query.getKey() + ": " + reply.encode()).isEqualTo("message");
        assertThat(reply.getJsonObject("body").containsKey(query.getValue())).as(query.getKey() + ": " + reply.encode()).isTrue();
      }
      bridge.write(new JsonObject().put("type", "send").put("address", "faultline.history.run").put("replyAddress", "r-run")
          .put("body", new JsonObject()));
      JsonObject refused = bridge.read();
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getInteger("failureCode")).as("the node's own answer, not the bridge's refusal").isEqualTo(400);

      bridge.write(new JsonObject().put("type", "register").put("address", "faultline.history.run.recorded"));
      bridge.write(new JsonObject().put("type", "ping"));
      assertThat(bridge.read().getString("type")).as("registered without an error").isEqualTo("pong");
      bridge.write(new JsonObject().put("type", "publish").put("address", "faultline.history.run.recorded")
          .put("body", new JsonObject().put("id", "forged")));
      assertThat(bridge.read().getString("message")).as("a script cannot slip a run into the history").isEqualTo("access_denied");
    }
  }

  /** Every address README's event-bus table documents passes the bridge: sent to, or, for a published one, registered for. */
  @Test
  void everyAddressOfTheReadmesEventBusTablePassesTheBridge() throws IOException {
    String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
    String table = readme.substring(readme.indexOf("\n## Event bus\n"));
    table = table.substring(0, table.indexOf("\n## ", 1));
    java.util.regex.Pattern token = java.util.regex.Pattern.compile("`(faultline\\.[a-z_.]+|\\.[a-z_]+)`");
    int rows = 0;
    for (String line : table.split("\n")) {
      if (!line.startsWith("| `faultline.")) {
        continue;
      }
      String cell = line.substring(1, line.indexOf('|', 1));
      boolean published = cell.contains("(published");
      java.util.regex.Matcher m = token.matcher(cell);
      String prefix = null;
      while (m.find()) {
        String address = m.group(1);
        if (address.startsWith(".")) {
          address = prefix + address;
        } else {
          prefix = address.substring(0, address.lastIndexOf('.'));
        }
        java.util.Set<String> allowed = published ? io.faultline.admin.bridge.PublicAddresses.outbound()
            : io.faultline.admin.bridge.PublicAddresses.inbound();
        assertThat(allowed).as(line).contains(address);
        rows++;
      }
    }
    assertThat(rows).as("addresses read from the table").isGreaterThan(40);
  }

  @Test
  void aFrameOverTheBodyLimitClosesTheConnectionWithoutBufferingIt() throws Exception {
    int port = Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port)));
         Wire bridge = Wire.open(port)) {
      bridge.out.writeInt(Integer.MAX_VALUE); // announced, never sent: the refusal must not wait for the body
      bridge.out.flush();
      JsonObject refused = bridge.read();
      assertThat(refused.getString("message")).isEqualTo("frame_too_large");
      assertThat(bridge.in.read()).as("the bridge closed the connection").isEqualTo(-1);
      assertThat(gw.status().getBoolean("enabled")).as("the node still answers").isFalse();
    }
  }

  @Test
  void malformedFramesAndBodiesGetAnAnswerNamingWhatIsWrong() throws Exception {
    int port = Upstreams.portToListenOn();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port)))) {
      try (Wire bridge = Wire.open(port)) {
        // a body that is no JSON object: a 400 naming it, as the REST API answers (a ClassCastException's 500 before)
        for (Object body : List.of("x", new io.vertx.core.json.JsonArray().add(1), 5)) {
          bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.set").put("replyAddress", "r").put("body", body));
          JsonObject refused = bridge.read();
          assertThat(refused.getString("type")).isEqualTo("err");
          assertThat(refused.getInteger("failureCode")).as(String.valueOf(body)).isEqualTo(400);
          assertThat(new JsonObject(refused.getString("message")).getString("field")).isEqualTo("body");
        }
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.changes").put("replyAddress", "r")
            .put("body", new JsonObject().put("limit", "abc")));
        JsonObject limit = bridge.read();
        assertThat(limit.getInteger("failureCode")).isEqualTo(400);
        assertThat(new JsonObject(limit.getString("message")).getString("field")).isEqualTo("limit");
        // a replyAddress that is no string: refused, not sent without a reply (the script waited for ever)
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.status").put("replyAddress", 5).put("body", new JsonObject()));
        assertThat(bridge.read().getString("message")).isEqualTo("invalid_reply_address");
        // a repeated key is refused, as the REST API refuses it (the last one was taken: a delay of 500 ms, not 5)
        bridge.writeRaw("{\"type\": \"send\", \"address\": \"faultline.chaos.set\", \"replyAddress\": \"r\", \"body\":"
            + " {\"section\": \"latency\", \"config\": {\"fixed_delay_ms\": 5, \"fixed_delay_ms\": 500}}}");
        JsonObject repeated = bridge.read();
        assertThat(repeated.getString("message")).isEqualTo("invalid_json");
        assertThat(repeated.getString("detail")).contains("fixed_delay_ms");
        // a name that is no section says so, whatever its config (it was told its config "must be an object")
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.set").put("replyAddress", "r")
            .put("body", new JsonObject().put("section", "rules").put("config", new io.vertx.core.json.JsonArray())));
        JsonObject notASection = new JsonObject(bridge.read().getString("message"));
        assertThat(notASection.getString("field")).isEqualTo("section");
        assertThat(notASection.getString("error")).contains("unknown section rules");
        // a field an address does not take is refused naming it, not ignored
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.rules.remove").put("replyAddress", "r")
            .put("body", new JsonObject().put("name", "a").put("x", 1)));
        JsonObject extra = bridge.read();
        assertThat(extra.getInteger("failureCode")).isEqualTo(400);
        assertThat(new JsonObject(extra.getString("message")).getString("field")).isEqualTo("x");
        // a start takes text and variables: a misspelt variables ran with the file's own values, and an A/B test's own
        // field started a run past the hold a running test keeps on the chaos config
        String text = "name: n\nsteps:\n  - duration_seconds: 1\n    latency: {fixed_delay_ms: 5}\n";
        for (String field : List.of("variabels", "experiment")) {
          bridge.write(new JsonObject().put("type", "send").put("address", "faultline.orchestration.start").put("replyAddress", "r")
              .put("body", new JsonObject().put("text", text).put(field, field.equals("experiment") ? "ab-1" : new JsonObject())));
          JsonObject start = bridge.read();
          assertThat(start.getInteger("failureCode")).as(field).isEqualTo(400);
          assertThat(new JsonObject(start.getString("message")).getString("field")).isEqualTo(field);
        }
        // an address that takes no body refuses one it would ignore: chaos was enabled by {"enabled": false}
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.enable").put("replyAddress", "r")
            .put("body", new JsonObject().put("enabled", false)));
        JsonObject ignored = bridge.read();
        assertThat(ignored.getInteger("failureCode")).isEqualTo(400);
        assertThat(new JsonObject(ignored.getString("message")).getString("error")).contains("takes no body");
        bridge.write(new JsonObject().put("type", "send").put("address", "faultline.chaos.status").put("replyAddress", "r")
            .put("body", new JsonObject()));
        JsonObject status = bridge.read();
        assertThat(status.getJsonObject("body").getBoolean("enabled")).isFalse();
        assertThat(gw.get("/api/chaos/config").bodyAsJsonObject().getValue("latency")).as("nothing applied").isNull();
        bridge.write(new JsonObject().put("type", "ping"));
        assertThat(bridge.read().getString("type")).as("the connection goes on").isEqualTo("pong");
      }
      try (Wire bridge = Wire.open(port)) {
        bridge.out.writeInt(0); // an empty frame jammed the connection: nothing after it was read
        bridge.out.flush();
        assertThat(bridge.read().getString("message")).isEqualTo("invalid_json");
        assertThat(bridge.in.read()).as("closed, as for any frame that is no JSON object").isEqualTo(-1);
      }
      assertThat(gw.status().getBoolean("enabled")).isFalse();
    }
  }

  @Test
  void thePythonAndNodeScriptsRunAsTheReadmeShows() throws Exception {
    for (List<String> command : List.of(List.of("python3", "faultline_bridge.py"), List.of("node", "faultline_bridge.mjs"))) {
      int port = Upstreams.portToListenOn();
      try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.BRIDGE_PORT, Integer.toString(port), Flag.ADMIN_TOKEN, "tok"))) {
        gw.token = "tok";
        String output = run(command, port);
        assertThat(output).as(String.join(" ", command))
            .contains("enabled: true")
            .contains("scenario: slow_backend, faults latency")
            .containsPattern("changed: version \\d+")
            .contains("nodes: local=active")
            .contains("refused:").contains("unknown scenario no_such_scenario");
        JsonObject status = gw.status();
        assertThat(status.getBoolean("enabled")).isTrue();
        assertThat(status.getString("scenario")).isNull();
      }
    }
  }

  /** A program that imports Bridge from the Node script gets the class alone: the demo ran too, against 127.0.0.1:7000. */
  @Test
  void importingTheNodeScriptRunsNothing() throws Exception {
    Process process = new ProcessBuilder("node", "--input-type=module", "-e",
        "const m = await import('./faultline_bridge.mjs'); console.log('imported ' + typeof m.Bridge);")
        .directory(SCRIPTS.toFile()).redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output.strip()).isEqualTo("imported function");
    assertThat(process.exitValue()).isZero();
  }

  private static String run(List<String> command, int port) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(concat(command, List.of("127.0.0.1", Integer.toString(port))))
        .directory(SCRIPTS.toFile()).redirectErrorStream(true);
    builder.environment().put("FAULTLINE_ADMIN_TOKEN", "tok");
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish in 30 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(command + " output:\n" + output).isZero();
    return output;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  /** A raw client of the bridge's wire protocol: frames of a 4-byte big-endian length and a JSON object. */
  private static final class Wire implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    private Wire(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new DataOutputStream(socket.getOutputStream());
      this.in = new DataInputStream(socket.getInputStream());
    }

    static Wire open(int port) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      return new Wire(socket);
    }

    void write(JsonObject frame) throws IOException {
      writeRaw(frame.encode());
    }

    void writeRaw(String frame) throws IOException {
      byte[] data = frame.getBytes(StandardCharsets.UTF_8);
      out.writeInt(data.length);
      out.write(data);
      out.flush();
    }

    JsonObject read() throws IOException {
      byte[] data = new byte[in.readInt()];
      in.readFully(data);
      return new JsonObject(new String(data, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
