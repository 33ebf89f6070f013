package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Toxiproxy API over plain HTTP: its JSON shapes and status codes, and bad input refused in its error shape, naming what is wrong. */
class ToxiproxyApiTest {

  private final Vertx upstreamVertx = Vertx.vertx();
  private final int echo = Upstreams.echoTcp(upstreamVertx);
  private GatewayFixture gw;
  private String token;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    upstreamVertx.close().await();
  }

  private GatewayFixture start(Map<Flag, String> more) {
    Map<Flag, String> flags = new HashMap<>(Map.of(Flag.TOXIPROXY_PORT, "0"));
    flags.putAll(more);
    gw = new GatewayFixture(flags);
    return gw;
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String body) {
    HttpRequest<Buffer> request = gw.client.request(method, gw.gateway.toxiproxyPort(), "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await();
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", error).put("status", status));
  }

  private String proxyBody(String name) {
    return "{\"name\": \"" + name + "\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:" + echo + "\"}";
  }

  @Test
  void proxiesAndToxicsHaveToxiprosysShapesAndStatuses() {
    start(Map.of());
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/proxies", proxyBody("db"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject proxy = created.bodyAsJsonObject();
    assertThat(proxy.fieldNames()).containsExactlyInAnyOrder("name", "listen", "upstream", "enabled", "toxics");
    assertThat(proxy.getString("listen")).startsWith("127.0.0.1:").doesNotEndWith(":0");
    assertThat(proxy.getBoolean("enabled")).isTrue();
    assertThat(call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject().getJsonObject("db")).isEqualTo(proxy);
    assertError(call(HttpMethod.POST, "/proxies", proxyBody("db")), 409, "proxy already exists: db");
    assertError(call(HttpMethod.POST, "/proxies", proxyBody("web")), 409, "proxy already exists: web (a http listener)");

    HttpResponse<Buffer> toxic = call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 10}}");
    assertThat(toxic.statusCode()).isEqualTo(200);
    assertThat(toxic.bodyAsJsonObject()).isEqualTo(new JsonObject().put("name", "latency_downstream").put("type", "latency")
        .put("stream", "downstream").put("toxicity", 1.0).put("attributes", new JsonObject().put("latency", 10).put("jitter", 0)));
    HttpResponse<Buffer> updated = call(HttpMethod.PATCH, "/proxies/db/toxics/latency_downstream", "{\"toxicity\": 0.5}");
    assertThat(updated.bodyAsJsonObject().getDouble("toxicity")).isEqualTo(0.5);
    assertThat(updated.bodyAsJsonObject().getJsonObject("attributes").getInteger("latency")).as("untouched").isEqualTo(10);
    assertThat(call(HttpMethod.GET, "/proxies/db/toxics", null).bodyAsJsonArray()).hasSize(1);
    assertThat(call(HttpMethod.DELETE, "/proxies/db/toxics/latency_downstream", null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/proxies/db", null).statusCode()).isEqualTo(204);
    assertThat(call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject()).isEqualTo(new JsonObject());
    assertThat(call(HttpMethod.GET, "/version", null).bodyAsJsonObject().getString("version")).contains("faultline");

    // removed as a listener (the admin API) instead of as a proxy, its toxics go too: a new proxy of the name starts clean
    assertThat(call(HttpMethod.POST, "/proxies", proxyBody("reused")).statusCode()).isEqualTo(201);
    assertThat(call(HttpMethod.POST, "/proxies/reused/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 10}}")
        .statusCode()).isEqualTo(200);
    // a new upstream restarts its listener: that is no removal, the toxics stay
    // a read sent while the restart goes on sees the proxy as the change leaves it (it answered 404 while the listener was
    // away), as Toxiproxy's lock shows one or the other
    io.vertx.core.Future<HttpResponse<Buffer>> moving = gw.client.request(HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1",
        "/proxies/reused").sendBuffer(Buffer.buffer("{\"upstream\": \"127.0.0.1:2\"}"));
    HttpResponse<Buffer> during = call(HttpMethod.GET, "/proxies/reused", null);
    HttpResponse<Buffer> moved = moving.await();
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getJsonArray("toxics")).hasSize(1);
    assertThat(during.statusCode()).as(during.bodyAsString()).isEqualTo(200);
    assertThat(during.bodyAsJsonObject().getString("upstream")).isEqualTo("127.0.0.1:2");
    assertThat(gw.admin(HttpMethod.DELETE, "/api/listeners/reused").send().await().statusCode()).isEqualTo(200);
    HttpResponse<Buffer> again = call(HttpMethod.POST, "/proxies", proxyBody("reused"));
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.bodyAsJsonObject().getJsonArray("toxics")).isEmpty();
  }

  @Test
  void theBodiesToxiproxysGoClientAndCliSendAreTakenAsToxiproxyTakesThem() throws Exception {
    start(Map.of());
    JsonObject proxy = call(HttpMethod.POST, "/proxies", proxyBody("gop")).bodyAsJsonObject();
    // AddToxic("", "latency", "", 1, attrs): its Name has no omitempty, so "no name" is "" (it was a 400)
    HttpResponse<Buffer> unnamed = call(HttpMethod.POST, "/proxies/gop/toxics",
        "{\"name\":\"\",\"type\":\"latency\",\"toxicity\":1,\"attributes\":{\"latency\":100}}");
    assertThat(unnamed.statusCode()).as(unnamed.bodyAsString()).isEqualTo(200);
    assertThat(unnamed.bodyAsJsonObject().getString("name")).isEqualTo("latency_downstream");
    // a client that writes what it leaves out as null (it was a 500)
    HttpResponse<Buffer> nullStream = call(HttpMethod.POST, "/proxies/gop/toxics",
        "{\"name\":\"a1\",\"type\":\"bandwidth\",\"stream\":null,\"attributes\":{\"rate\":100}}");
    assertThat(nullStream.statusCode()).as(nullStream.bodyAsString()).isEqualTo(200);
    assertThat(nullStream.bodyAsJsonObject().getString("stream")).isEqualTo("downstream");
    // Toxiproxy reads the stream in any case (ParseDirection lowercases it; "Upstream" was a 400)
    HttpResponse<Buffer> capitalised = call(HttpMethod.POST, "/proxies/gop/toxics",
        "{\"name\":\"a2\",\"type\":\"latency\",\"stream\":\"Upstream\",\"attributes\":{\"latency\":5}}");
    assertThat(capitalised.statusCode()).as(capitalised.bodyAsString()).isEqualTo(200);
    assertThat(capitalised.bodyAsJsonObject().getString("stream")).isEqualTo("upstream");
    assertThat(call(HttpMethod.DELETE, "/proxies/gop/toxics/a2", null).statusCode()).isEqualTo(204);
    // Proxy.Disable() saves the whole proxy it read, its toxics too (it was a 400 once a proxy had toxics)
    JsonObject read = call(HttpMethod.GET, "/proxies/gop", null).bodyAsJsonObject();
    HttpResponse<Buffer> disabled = call(HttpMethod.POST, "/proxies/gop", read.copy().put("enabled", false).encode());
    assertThat(disabled.statusCode()).as(disabled.bodyAsString()).isEqualTo(200);
    assertThat(disabled.bodyAsJsonObject().getBoolean("enabled")).isFalse();
    assertThat(disabled.bodyAsJsonObject().getJsonArray("toxics")).isEqualTo(read.getJsonArray("toxics"));
    assertThat(call(HttpMethod.POST, "/proxies/gop", read.copy().put("enabled", true).encode()).bodyAsJsonObject().getBoolean("enabled"))
        .isTrue();
    // toxics that are not the proxy's are left alone, as Toxiproxy leaves them: the Go client sends back the list it last
    // read, stale after a RemoveToxic, when it enables the proxy again (refused, the proxy stayed disabled)
    JsonObject stale = read.copy().put("enabled", false);
    assertThat(call(HttpMethod.POST, "/proxies/gop", stale.encode()).statusCode()).isEqualTo(200);
    JsonObject other = read.copy().put("enabled", true)
        .put("toxics", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "x").put("type", "latency")));
    HttpResponse<Buffer> enabled = call(HttpMethod.POST, "/proxies/gop", other.encode());
    assertThat(enabled.statusCode()).as(enabled.bodyAsString()).isEqualTo(200);
    assertThat(enabled.bodyAsJsonObject().getBoolean("enabled")).isTrue();
    assertThat(call(HttpMethod.GET, "/proxies/gop/toxics", null).bodyAsJsonArray()).hasSize(2);
    assertThat(proxy.getString("name")).isEqualTo("gop");
    // Populate and CreateProxy of a proxy read with Proxies() carry its toxics: ignored, as Toxiproxy ignores them (the
    // populate was refused whole)
    JsonObject copy = read.copy().put("name", "gop2").put("listen", "127.0.0.1:0");
    HttpResponse<Buffer> populated = call(HttpMethod.POST, "/populate", new io.vertx.core.json.JsonArray().add(copy).encode());
    assertThat(populated.statusCode()).as(populated.bodyAsString()).isEqualTo(201);
    assertThat(call(HttpMethod.GET, "/proxies/gop2/toxics", null).bodyAsJsonArray()).isEmpty();
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/proxies", copy.put("name", "gop3").encode());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getJsonArray("toxics")).isEmpty();

    // a proxy update with "upstream": null, as a client that writes its whole object with nulls sends it: unchanged, as Go
    // decodes it (a 400 "upstream: is required", its enabled: false not applied)
    HttpResponse<Buffer> nullUpstream = call(HttpMethod.POST, "/proxies/gop2", "{\"enabled\": false, \"upstream\": null}");
    assertThat(nullUpstream.statusCode()).as(nullUpstream.bodyAsString()).isEqualTo(200);
    assertThat(nullUpstream.bodyAsJsonObject().getBoolean("enabled")).isFalse();
    assertThat(nullUpstream.bodyAsJsonObject().getString("upstream")).isEqualTo(copy.getString("upstream"));
    // Toxiproxy's noop toxic (a 400 "invalid toxic type")
    HttpResponse<Buffer> noop = call(HttpMethod.POST, "/proxies/gop2/toxics", "{\"type\": \"noop\"}");
    assertThat(noop.statusCode()).as(noop.bodyAsString()).isEqualTo(200);
    assertThat(noop.bodyAsJsonObject().getString("name")).isEqualTo("noop_downstream");
    assertThat(noop.bodyAsJsonObject().getJsonObject("attributes")).isEmpty();

    // a toxic update with name, type or stream written as null: Toxiproxy reads only attributes and toxicity (a 500)
    HttpResponse<Buffer> nulls = call(HttpMethod.POST, "/proxies/gop/toxics/a1",
        "{\"name\":null,\"type\":null,\"stream\":null,\"attributes\":{\"rate\":200}}");
    assertThat(nulls.statusCode()).as(nulls.bodyAsString()).isEqualTo(200);
    assertThat(nulls.bodyAsJsonObject().getJsonObject("attributes").getInteger("rate")).isEqualTo(200);
    // ... or as "", as a create reads them (a client echoing the create's body): a 400, "" being no stream and not the name
    HttpResponse<Buffer> blanks = call(HttpMethod.POST, "/proxies/gop/toxics/a1",
        "{\"name\":\"\",\"type\":\"\",\"stream\":\"\",\"attributes\":{\"rate\":200}}");
    assertThat(blanks.statusCode()).as(blanks.bodyAsString()).isEqualTo(200);
    assertThat(blanks.bodyAsJsonObject().getJsonObject("attributes").getInteger("rate")).isEqualTo(200);
    assertThat(blanks.bodyAsJsonObject().getString("name")).isEqualTo("a1");
    // the Go client's UpdateToxic(name, toxicity, nil) sends "attributes": null: the attributes stay, the toxicity changes
    HttpResponse<Buffer> toxicityOnly = call(HttpMethod.POST, "/proxies/gop/toxics/a1", "{\"attributes\":null,\"toxicity\":0.5}");
    assertThat(toxicityOnly.statusCode()).as(toxicityOnly.bodyAsString()).isEqualTo(200);
    assertThat(toxicityOnly.bodyAsJsonObject().getDouble("toxicity")).isEqualTo(0.5);
    assertThat(toxicityOnly.bodyAsJsonObject().getJsonObject("attributes").getInteger("rate")).isEqualTo(200);
    // CreateProxy(name, "", upstream) and Populate send "listen": "" (no omitempty): a free port, as Toxiproxy binds one
    HttpResponse<Buffer> blank = call(HttpMethod.POST, "/proxies", proxyBody("blank").replace("127.0.0.1:0", ""));
    assertThat(blank.statusCode()).as(blank.bodyAsString()).isEqualTo(201);
    assertThat(blank.bodyAsJsonObject().getString("listen")).startsWith("127.0.0.1:").doesNotEndWith(":0");
    // an update to port 0 moves the proxy to a new port, as Toxiproxy's Differs sees it (it stayed where it was)
    String was = blank.bodyAsJsonObject().getString("listen");
    HttpResponse<Buffer> moved = call(HttpMethod.POST, "/proxies/blank", "{\"listen\": \"127.0.0.1:0\"}");
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getString("listen")).isNotEqualTo(was).doesNotEndWith(":0");
    // after the kill switch, a toxic updated or removed, or a proxy enabled, leaves chaos off (each switched all chaos
    // back on, every listener's); adding a toxic or disabling a proxy switches it on, as README says
    assertThat(call(HttpMethod.POST, "/proxies/gop", "{\"enabled\": false}").statusCode()).isEqualTo(200);
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.POST, "/proxies/gop/toxics/a1", "{\"attributes\": {\"rate\": 300}}").statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.POST, "/proxies/gop", "{\"enabled\": true}").statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.DELETE, "/proxies/gop/toxics/a1", null).statusCode()).isEqualTo(204);
    assertThat(gw.status().getBoolean("enabled")).as("chaos stays off").isFalse();
    assertThat(call(HttpMethod.POST, "/proxies/gop3/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 5}}")
        .statusCode()).isEqualTo(200);
    assertThat(gw.status().getBoolean("enabled")).as("a toxic added switches it on").isTrue();
    // a proxy disabled, then the kill switch: it listens, and says so (it said disabled); a Disable() takes it down again
    // (answered 200 as no change, it went on listening)
    assertThat(call(HttpMethod.POST, "/proxies/gop3", "{\"enabled\": false}").bodyAsJsonObject().getBoolean("enabled")).isFalse();
    assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
    JsonObject listening = call(HttpMethod.GET, "/proxies/gop3", null).bodyAsJsonObject();
    assertThat(listening.getBoolean("enabled")).as("listening again, as the kill switch brings it back").isTrue();
    int port = Integer.parseInt(listening.getString("listen").substring(listening.getString("listen").lastIndexOf(':') + 1));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) { // the listener binds again a moment after the switch
      try {
        new java.net.Socket("127.0.0.1", port).close();
        break;
      } catch (java.net.ConnectException notYet) {
        assertThat(System.nanoTime()).as("listening again within 10 s").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
    HttpResponse<Buffer> disabledAgain = call(HttpMethod.POST, "/proxies/gop3", listening.copy().put("enabled", false).encode());
    assertThat(disabledAgain.bodyAsJsonObject().getBoolean("enabled")).as(disabledAgain.bodyAsString()).isFalse();
    assertThat(gw.status().getBoolean("enabled")).as("a disable switches chaos on").isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close())
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void badInputIsRefusedInToxiproxysErrorShapeNamingWhatIsWrongAndNothingIsHalfApplied() {
    start(Map.of());
    assertError(call(HttpMethod.POST, "/proxies", "{\"listen\": \"127.0.0.1:0\"}"), 400, "missing required field: name");
    assertError(call(HttpMethod.POST, "/proxies", "{\"name\": \"x\"}"), 400, "missing required field: upstream");
    HttpResponse<Buffer> malformed = call(HttpMethod.POST, "/proxies", "{\"name\": \"x\"");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.bodyAsJsonObject().getString("error")).startsWith("bad request body: malformed JSON at line 1, column ")
        .endsWith(": Unexpected end-of-input: expected close marker for Object");
    assertError(call(HttpMethod.POST, "/proxies", "[]"), 400, "bad request body: must be a JSON object, got array");
    assertError(call(HttpMethod.POST, "/proxies", "{\"name\": \"x\", \"upstream\": \"127.0.0.1:1\", \"colour\": 1}"), 400,
        "bad request body: unknown field colour of a proxy; expected one of [name, listen, upstream, enabled, toxics]");
    assertError(call(HttpMethod.POST, "/proxies", "{\"name\": \"x\", \"upstream\": \"127.0.0.1:1\", \"listen\": \"localhost\"}"), 400,
        "bad request body: listen: must be host:port with a port from 0 to 65535, got localhost");
    assertError(call(HttpMethod.POST, "/proxies", "{\"name\": \"x\", \"upstream\": \"http://127.0.0.1:1\"}"), 400,
        "bad request body: upstream: must be host:port for a tcp listener, got http://127.0.0.1:1");
    assertError(call(HttpMethod.POST, "/proxies", "{\"name\": \"a b\", \"upstream\": \"127.0.0.1:1\"}"), 400,
        "bad request body: name: must be 1-119 letters, digits, '_', '-', '.' or ':' (not starting with '.' or ':'), got a b");
    assertThat(call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject()).as("nothing made").isEqualTo(new JsonObject());

    call(HttpMethod.POST, "/proxies", proxyBody("db"));
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"latency\", \"stream\": \"sideways\"}"), 400,
        "stream was invalid, can be either upstream or downstream: got sideways");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"lag\"}"), 400,
        "invalid toxic type: lag (expected one of [latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop])");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": -5}}"), 400,
        "bad request body: attributes.latency: must be between 0 and 3600000 (ms), got -5");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"latency\", \"attributes\": {\"rate\": 5}}"), 400,
        "bad request body: attributes.rate: unknown attribute of a latency toxic; expected one of [latency, jitter]");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"type\": \"latency\", \"toxicity\": 2}"), 400,
        "bad request body: toxicity: must be between 0 and 1, got 2.0");
    // a toxic named '..' could never be deleted by its path: DELETE /proxies/db/toxics/.. resolves to the proxy itself
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"name\": \"..\", \"type\": \"latency\"}"), 400,
        "bad request body: name: must be 1-128 characters, without '/' or control characters and not '.' or '..', got ..");
    call(HttpMethod.POST, "/proxies/db/toxics", "{\"name\": \"slow\", \"type\": \"latency\"}");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics", "{\"name\": \"slow\", \"type\": \"bandwidth\"}"), 409,
        "toxic already exists: slow");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics/slow", "{\"type\": \"bandwidth\"}"), 400,
        "bad request body: type: a toxic's type cannot change (delete it and add another), got bandwidth");
    assertError(call(HttpMethod.POST, "/proxies/db/toxics/slow", "{\"attributes\": {\"latency\": 1.5}}"), 400,
        "bad request body: attributes.latency: must be a whole number, got 1.5");
    assertError(call(HttpMethod.GET, "/proxies/db/toxics/fast", null), 404, "toxic not found: fast");
    assertError(call(HttpMethod.DELETE, "/proxies/db/toxics/fast", null), 404, "toxic not found: fast");
    assertError(call(HttpMethod.GET, "/proxies/nope", null), 404, "proxy not found: nope");
    assertError(call(HttpMethod.POST, "/proxies/nope/toxics", "{\"type\": \"latency\"}"), 404, "proxy not found: nope");
    assertError(call(HttpMethod.POST, "/proxies/db", "{\"name\": \"other\"}"), 400,
        "bad request body: name: a proxy cannot be renamed (delete it and create other)");
    assertError(call(HttpMethod.GET, "/nothing", null), 404, "no such endpoint: GET /nothing");
    JsonArray toxics = call(HttpMethod.GET, "/proxies/db/toxics", null).bodyAsJsonArray();
    assertThat(toxics).as("only the toxic that was accepted").hasSize(1);
    assertThat(toxics.getJsonObject(0).getJsonObject("attributes").getInteger("latency")).isZero();

    // a null leaves a value as it is, as Toxiproxy decodes the body into the toxic it has (toxicity became 1, jitter 0)
    assertThat(call(HttpMethod.POST, "/proxies/db/toxics/slow", "{\"attributes\": {\"latency\": 40, \"jitter\": 4}, \"toxicity\": 0.5}")
        .statusCode()).isEqualTo(200);
    JsonObject kept = call(HttpMethod.POST, "/proxies/db/toxics/slow", "{\"attributes\": {\"jitter\": null}, \"toxicity\": null}")
        .bodyAsJsonObject();
    assertThat(kept.getDouble("toxicity")).as(kept.encode()).isEqualTo(0.5);
    assertThat(kept.getJsonObject("attributes").getInteger("jitter")).isEqualTo(4);
    assertThat(kept.getJsonObject("attributes").getInteger("latency")).isEqualTo(40);
    // the proxy is looked for first, as Toxiproxy does: a bad body sent to one that is not there is a 404
    assertError(call(HttpMethod.POST, "/proxies/nope/toxics", "{\"type\": \"lag\"}"), 404, "proxy not found: nope");
    assertError(call(HttpMethod.POST, "/proxies/nope/toxics/slow", "{\"colour\": 1}"), 404, "proxy not found: nope");
    assertError(call(HttpMethod.POST, "/proxies/nope/toxics", "[]"), 404, "proxy not found: nope");
  }

  /**
   * A body labelled as a form, as {@code curl -d} labels every body, is read as it is, as Toxiproxy reads it: over a
   * kilobyte it was decoded as form fields and refused with a bare text "Bad Request".
   */
  @Test
  void aBodyCurlLabelsAsAFormIsReadAsItIs() {
    start(Map.of());
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 20; i++) {
      many.append(i == 0 ? "" : ", ").append(proxyBody("p" + i));
    }
    String body = many.append("]").toString();
    assertThat(body.length()).as("past the form decoder's kilobyte").isGreaterThan(1024);
    HttpRequest<Buffer> request = gw.client.request(HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1", "/populate")
        .putHeader("Content-Type", "application/x-www-form-urlencoded");
    HttpResponse<Buffer> populated = request.sendBuffer(Buffer.buffer(body)).await();
    assertThat(populated.statusCode()).as(populated.bodyAsString()).isEqualTo(201);
    assertThat(populated.bodyAsJsonObject().getJsonArray("proxies")).hasSize(20);
  }

  @Test
  void populateCreatesReplacesOnlyWhatChangedAndChecksEveryEntryFirst() {
    start(Map.of());
    String two = "[" + proxyBody("a") + ", " + proxyBody("b").replace("}", ", \"enabled\": false}") + "]";
    HttpResponse<Buffer> first = call(HttpMethod.POST, "/populate", two);
    assertThat(first.statusCode()).isEqualTo(201);
    JsonArray made = first.bodyAsJsonObject().getJsonArray("proxies");
    assertThat(made).hasSize(2);
    assertThat(made.getJsonObject(1).getBoolean("enabled")).isFalse();
    HttpResponse<Buffer> again = call(HttpMethod.POST, "/populate", two);
    assertThat(again.bodyAsJsonObject().getJsonArray("proxies")).as("unchanged proxies are left as they are").isEqualTo(made);
    String moved = "[" + proxyBody("a").replace(":" + echo, ":" + Upstreams.closedPort()) + "]";
    JsonObject replaced = call(HttpMethod.POST, "/populate", moved).bodyAsJsonObject().getJsonArray("proxies").getJsonObject(0);
    assertThat(replaced.getString("upstream")).isNotEqualTo(made.getJsonObject(0).getString("upstream"));
    assertError(call(HttpMethod.POST, "/populate", "[" + proxyBody("c") + ", {\"upstream\": \"127.0.0.1:1\"}]"), 400,
        "missing required field: name at proxy 2");
    assertThat(call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject().fieldNames()).as("c was not made").containsOnly("a", "b");
    assertError(call(HttpMethod.POST, "/populate", "{}"), 400, "bad request body: must be a JSON array of proxies");
    assertError(call(HttpMethod.POST, "/populate", "[" + proxyBody("c") + ", " + proxyBody("c") + "]"), 400,
        "bad request body: proxy 2: name c is given twice");
    assertError(call(HttpMethod.POST, "/populate", "[" + proxyBody("c") + ", " + proxyBody("d").replace("127.0.0.1:0", "127.0.0.1:abc") + "]"),
        400, "bad request body: proxy 2: listen: must be host:port with a port from 0 to 65535, got 127.0.0.1:abc");
    // Toxiproxy's Go client sends "listen": "" for none, as POST /proxies takes it: populate refused it
    HttpResponse<Buffer> noListen = call(HttpMethod.POST, "/populate", "[" + proxyBody("g").replace("127.0.0.1:0", "") + "]");
    assertThat(noListen.statusCode()).as(noListen.bodyAsString()).isEqualTo(201);
    assertThat(noListen.bodyAsJsonObject().getJsonArray("proxies").getJsonObject(0).getString("listen")).startsWith("127.0.0.1:");
    assertThat(call(HttpMethod.DELETE, "/proxies/g", null).statusCode()).isEqualTo(204);

    // an entry that fails only when it is made (its port is b's): what the request made before it is undone
    JsonObject before = call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject();
    String bListen = before.getJsonObject("b").getString("listen");
    String clash = "[" + proxyBody("c") + ", " + proxyBody("a") + ", " + proxyBody("d").replace("127.0.0.1:0", bListen) + "]";
    HttpResponse<Buffer> refused = call(HttpMethod.POST, "/populate", clash);
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonArray("proxies")).as("nothing is left made").isEmpty();
    JsonObject after = call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject();
    assertThat(after.fieldNames()).as("c was removed again").containsOnly("a", "b");
    assertThat(after.getJsonObject("a").getString("upstream")).as("a is back on its upstream")
        .isEqualTo(before.getJsonObject("a").getString("upstream"));

    // and a replaced proxy comes back with its toxics and its enabled flag (it came back bare, enabled as asked)
    assertThat(call(HttpMethod.POST, "/proxies/a/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 50}}").statusCode())
        .isEqualTo(200);
    assertThat(call(HttpMethod.POST, "/proxies/a", "{\"enabled\": false}").statusCode()).isEqualTo(200);
    JsonObject a = call(HttpMethod.GET, "/proxies/a", null).bodyAsJsonObject();
    // a's upstream is the closed port now: the echo one replaces it, then d cannot have b's port
    String replacing = "[" + proxyBody("a") + ", " + proxyBody("d").replace("127.0.0.1:0", bListen) + "]";
    HttpResponse<Buffer> undone = call(HttpMethod.POST, "/populate", replacing);
    assertThat(undone.statusCode()).as(undone.bodyAsString()).isEqualTo(409);
    assertThat(call(HttpMethod.GET, "/proxies/a", null).bodyAsJsonObject()).as("a as it was, toxics and all").isEqualTo(a);
  }

  /**
   * An update or a populate entry that would replace a proxy with one that cannot be is refused before the proxy is
   * touched: its toxics stay, and so do the connections open through it. The proxy was stopped first, then the new
   * upstream found invalid: every connection through it closed, and a populate lost the proxy and its toxics whole.
   */
  @Test
  void aReplacementThatCannotBeLeavesTheProxyItsToxicsAndItsConnections() throws Exception {
    start(Map.of());
    assertThat(call(HttpMethod.POST, "/proxies", proxyBody("pg")).statusCode()).isEqualTo(201);
    assertThat(call(HttpMethod.POST, "/proxies/pg/toxics", "{\"name\": \"slow\", \"type\": \"latency\", \"attributes\": {\"latency\": 5}}")
        .statusCode()).isEqualTo(200);
    JsonObject pg = call(HttpMethod.GET, "/proxies/pg", null).bodyAsJsonObject();
    String listen = pg.getString("listen");
    try (java.net.Socket open = new java.net.Socket("127.0.0.1", Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)))) {
      open.setSoTimeout(5_000);
      open.getOutputStream().write('a');
      assertThat(open.getInputStream().read()).isEqualTo('a');

      assertError(call(HttpMethod.POST, "/proxies/pg", "{\"upstream\": \"db\"}"), 400,
          "bad request body: upstream: must be host:port for a tcp listener, got db");
      HttpResponse<Buffer> populated = call(HttpMethod.POST, "/populate",
          "[{\"name\": \"pg\", \"listen\": \"" + listen + "\", \"upstream\": \"db\"}]");
      assertThat(populated.statusCode()).as(populated.bodyAsString()).isEqualTo(400);
      assertThat(populated.bodyAsJsonObject().getString("error")).contains("upstream: must be host:port for a tcp listener, got db");

      assertThat(call(HttpMethod.GET, "/proxies/pg", null).bodyAsJsonObject()).as("pg as it was, toxics and all").isEqualTo(pg);
      open.getOutputStream().write('b');
      assertThat(open.getInputStream().read()).as("the connection open through it goes on").isEqualTo('b');
    }
  }

  @Test
  void theReadmesCurlExamplesRunAsWritten() throws Exception {
    start(Map.of());
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    int section = readme.indexOf("### The Toxiproxy-compatible API");
    int block = readme.indexOf("```sh\n", section) + "```sh\n".length();
    java.util.regex.Pattern curl = java.util.regex.Pattern.compile("curl -s(?: -X (\\w+))? localhost:8474(\\S+)(?: -d '(.*)')?");
    int ran = 0;
    for (String line : readme.substring(block, readme.indexOf("```", block)).split("\n")) {
      java.util.regex.Matcher m = curl.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String body = m.group(3) == null ? null : m.group(3).replace("127.0.0.1:5432", "127.0.0.1:" + echo);
      HttpMethod method = HttpMethod.valueOf(m.group(1) != null ? m.group(1) : body != null ? "POST" : "GET");
      HttpResponse<Buffer> response = call(method, m.group(2), body);
      assertThat(response.statusCode()).as(line + " -> " + response.bodyAsString()).isBetween(200, 204);
      ran++;
    }
    assertThat(ran).isEqualTo(11);
  }

  @Test
  void theAdminTokenAppliesWhenThereIsOneAndBrowsersAreRefused() {
    start(Map.of(Flag.ADMIN_TOKEN, "s3cret"));
    HttpResponse<Buffer> anonymous = call(HttpMethod.GET, "/proxies", null);
    assertError(anonymous, 401, "a valid bearer token is required (Authorization: Bearer TOKEN)");
    token = "s3cret";
    assertThat(call(HttpMethod.GET, "/proxies", null).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> browser = gw.client.request(HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1", "/reset")
        .bearerTokenAuthentication("s3cret").putHeader("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)").send().await();
    assertError(browser, 403, "User agent not allowed");
  }

  /**
   * A page whose DNS name was rebound to the loopback port is same-origin to its browser, whose script may set
   * its own User-Agent: it created proxies (with no admin token set). Other names and requests from pages are refused.
   */
  @Test
  void aRebindingPageIsRefusedByHostAndOrigin() {
    start(Map.of());
    HttpResponse<Buffer> rebound = gw.client.request(HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1", "/proxies")
        .putHeader("Host", "evil.example:" + gw.gateway.toxiproxyPort()).putHeader("User-Agent", "x")
        .sendJsonObject(new JsonObject().put("name", "pwn").put("listen", "127.0.0.1:0").put("upstream", "127.0.0.1:" + echo)).await();
    assertError(rebound, 403, "request for host evil.example:" + gw.gateway.toxiproxyPort() + " refused: this port answers only"
        + " localhost, 127.0.0.1 or [::1]");
    HttpResponse<Buffer> page = gw.client.request(HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1", "/proxies")
        .putHeader("Origin", "http://evil.example").putHeader("User-Agent", "x")
        .sendJsonObject(new JsonObject().put("name", "pwn").put("listen", "127.0.0.1:0").put("upstream", "127.0.0.1:" + echo)).await();
    assertError(page, 403, "requests from web pages (Origin http://evil.example) are not allowed");
    assertThat(call(HttpMethod.GET, "/proxies", null).bodyAsJsonObject().containsKey("pwn")).as("nothing created").isFalse();
    HttpResponse<Buffer> local = gw.client.request(HttpMethod.GET, gw.gateway.toxiproxyPort(), "127.0.0.1", "/version")
        .putHeader("Host", "localhost:" + gw.gateway.toxiproxyPort()).send().await();
    assertThat(local.statusCode()).isEqualTo(200);
  }

  @Test
  void aConfiguredTcpListenerIsAProxyAndListenersHaveTheirOwnApiWithItsErrors() {
    start(Map.of(Flag.TCP_UPSTREAM, "127.0.0.1:" + echo, Flag.TCP_PORT, "0"));
    JsonObject proxy = call(HttpMethod.GET, "/proxies/tcp", null).bodyAsJsonObject();
    assertThat(proxy.getString("upstream")).isEqualTo("127.0.0.1:" + echo);
    assertThat(gw.postJson("/api/listeners", "{\"name\": \"x\", \"protocol\": \"tcp\"}").bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("error", "is required for a tcp listener (host:port)").put("field", "upstream"));
    assertThat(gw.postJson("/api/listeners", "{\"name\": \"x\", \"protocol\": \"ftp\", \"upstream\": \"a:1\"}").bodyAsJsonObject()
        .getString("field")).isEqualTo("protocol");
    HttpResponse<Buffer> taken = gw.postJson("/api/listeners", "{\"name\": \"x\", \"protocol\": \"tcp\", \"upstream\": \"a:1\", \"port\": "
        + gw.gateway.listenerPort("tcp") + "}");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(taken.bodyAsJsonObject().getString("error")).isEqualTo("port " + gw.gateway.listenerPort("tcp") + " is taken by listener tcp");
    assertThat(gw.postJson("/api/listeners", "{\"name\": \"tcp\", \"protocol\": \"tcp\", \"upstream\": \"a:1\"}").statusCode()).isEqualTo(409);
    // the node's own ports: Vert.x would share them with the listener, handing it every other connection of the admin API
    for (Map.Entry<Integer, String> own : Map.of(gw.gateway.adminPort(), "the admin API", gw.gateway.toxiproxyPort(), "the Toxiproxy API")
        .entrySet()) {
      HttpResponse<Buffer> hijack = gw.postJson("/api/listeners", "{\"name\": \"h\", \"protocol\": \"http\", \"upstream\": \"http://a:1\", "
          + "\"port\": " + own.getKey() + "}");
      assertThat(hijack.statusCode()).isEqualTo(409);
      assertThat(hijack.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "port " + own.getKey() + " is taken by " + own.getValue())
          .put("field", "port"));
    }
    assertError(call(HttpMethod.POST, "/proxies", new JsonObject().put("name", "h").put("listen", "127.0.0.1:" + gw.gateway.adminPort())
        .put("upstream", "a:1").encode()), 409, "port: port " + gw.gateway.adminPort() + " is taken by the admin API");
    assertThat(gw.get("/health").statusCode()).as("the admin port is the admin API's alone").isEqualTo(200);
    // no port: the protocol's default (tcp: 3004), checked like a port given
    HttpResponse<Buffer> first = gw.postJson("/api/listeners", "{\"name\": \"p1\", \"protocol\": \"tcp\", \"upstream\": \"a:1\"}");
    org.assertj.core.api.Assumptions.assumeThat(first.statusCode()).as("3004 is free on this machine").isEqualTo(201);
    HttpResponse<Buffer> second = gw.postJson("/api/listeners", "{\"name\": \"p2\", \"protocol\": \"tcp\", \"upstream\": \"a:1\"}");
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(second.bodyAsJsonObject().getString("error")).isEqualTo("port 3004 is taken by listener p1");
    gw.admin(HttpMethod.DELETE, "/api/listeners/p1").send().await();
    for (String host : java.util.List.of("192.0.2.1", " ")) { // an address no machine has (TEST-NET-1), and none at all
      HttpResponse<Buffer> nowhere = gw.postJson("/api/listeners", "{\"name\": \"n\", \"protocol\": \"tcp\", \"upstream\": \"a:1\", "
          + "\"host\": \"" + host + "\", \"port\": 0}");
      assertThat(nowhere.statusCode()).as(host).isEqualTo(400);
      assertThat(nowhere.bodyAsJsonObject().getString("field")).as(host).isEqualTo("host");
    }
    assertThat(gw.postJson("/api/listeners", "{\"name\": \"n\", \"protocol\": \"tcp\", \"upstream\": \"a:1\", \"host\": \"192.0.2.1\", \"port\": 0}")
        .bodyAsJsonObject().getString("error")).isEqualTo("cannot listen on 192.0.2.1:0: this machine has no such address");
    assertThat(gw.postJson("/api/listeners", "{\"name\": \"x\", \"protocol\": \"tcp\", \"upstream\": \"a:1\", \"chaos\": {}}")
        .bodyAsJsonObject().getString("field")).isEqualTo("chaos");
    HttpResponse<Buffer> missing = gw.admin(HttpMethod.DELETE, "/api/listeners/none").send().await();
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(gw.get("/api/listeners").bodyAsJsonObject().getJsonArray("listeners")).hasSize(2);
  }

  @Test
  void listenersAddedAtTheSameMomentOnOnePortOrUnderOneNameGetOneOfIt() {
    start(Map.of());
    int port = Upstreams.portToListenOn();
    // sent together: before, two could both bind the port (Vert.x shares it) and split its traffic between upstreams
    List<io.vertx.core.Future<HttpResponse<Buffer>>> adds = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      adds.add(gw.admin(HttpMethod.POST, "/api/listeners").sendJsonObject(new JsonObject().put("name", "same-port-" + i)
          .put("protocol", "http").put("port", port).put("upstream", "http://127.0.0.1:" + (i + 1))));
    }
    for (int i = 0; i < 4; i++) {
      adds.add(gw.admin(HttpMethod.POST, "/api/listeners").sendJsonObject(new JsonObject().put("name", "same-name")
          .put("protocol", "http").put("port", 0).put("upstream", "http://127.0.0.1:" + (i + 1))));
    }
    List<Integer> statuses = adds.stream().map(f -> f.await().statusCode()).toList();
    assertThat(statuses.subList(0, 4)).as("one port").containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    assertThat(statuses.subList(4, 8)).as("one name").containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    JsonArray listed = gw.get("/api/listeners").bodyAsJsonObject().getJsonArray("listeners");
    assertThat(listed.stream().filter(l -> ((JsonObject) l).getInteger("port") == port)).hasSize(1);
  }
}
