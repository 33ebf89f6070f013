package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A graphql listener in front of a real GraphQL server: what passes, and each fault as a GraphQL client sees it. */
class GraphQlProxyVerticleTest {

  private GraphQlFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static final String USER_ORDERS = "{ user(id: \"1\") { name orders { id total } } }";

  @Test
  void queriesMutationsAndGetsPassThroughUnchanged() {
    fixture = new GraphQlFixture(null);
    HttpResponse<Buffer> viaGateway = fixture.post(USER_ORDERS);
    assertThat(viaGateway.statusCode()).isEqualTo(200);
    assertThat(viaGateway.bodyAsJsonObject()).isEqualTo(fixture.direct(USER_ORDERS).bodyAsJsonObject());
    assertThat(viaGateway.bodyAsJsonObject().getJsonObject("data").getJsonObject("user").getString("name")).isEqualTo("Ada");

    JsonObject mutation = fixture.post("mutation Buy { checkout(total: 12.5) { id total } }").bodyAsJsonObject();
    assertThat(mutation.getJsonObject("data").getJsonObject("checkout").getDouble("total")).isEqualTo(12.5);

    JsonObject get = fixture.client.get(fixture.port, "127.0.0.1", "/").addQueryParam("query", "{ hello }").send().await().bodyAsJsonObject();
    assertThat(get.getJsonObject("data").getString("hello")).isEqualTo("world");

    JsonObject header = fixture.post("{ header(name: \"X-Request-Id\") }").bodyAsJsonObject();
    assertThat(header.getJsonObject("data").getString("header")).isEqualTo("r-1");
    JsonObject forwarded = fixture.post("{ header(name: \"X-Forwarded-For\") }").bodyAsJsonObject();
    assertThat(forwarded.getJsonObject("data").getString("header")).isEqualTo("127.0.0.1");
  }

  /**
   * The hardening report's 2 KB fragment bomb: each fragment spreads the next twice, 28 levels, 2^28
   * walks if every spread is walked again. It pinned the event loop for 57 s with chaos off.
   */
  static String fragmentBomb(int levels, boolean nestUnderAliases) {
    StringBuilder doc = new StringBuilder("query Bomb { ...F0 }\n");
    for (int i = 0; i < levels; i++) {
      String next = i + 1 < levels ? "...F" + (i + 1) : "__typename";
      doc.append("fragment F").append(i).append(" on Query { ");
      doc.append(nestUnderAliases
          ? "a0: user(id: \"1\") { " + next + " } a1: user(id: \"1\") { " + next + " }"
          : "a0: __typename " + next + " a1: __typename " + next);
      doc.append(" }\n");
    }
    return doc.toString();
  }

  @Test
  void aFragmentBombCostsMillisecondsAndADocumentTooBigToWalkIsForwardedUntouched() {
    fixture = new GraphQlFixture(null);
    String bomb = fragmentBomb(28, false);
    assertThat(bomb.length()).isLessThan(2_500);
    long started = System.nanoTime();
    ParsedOperation operation = ParsedOperation.parse(bomb, null);
    // each fragment is walked once where it is spread (the upstream's own validation is its business)
    assertThat(System.nanoTime() - started).as("bounded, not a measurement").isLessThan(500_000_000L);
    assertThat(operation.facts().fields()).containsExactly("Query.__typename");
    assertThat(operation.responseKeys().get("Query.__typename")).containsExactlyInAnyOrder(java.util.List.of("a0"), java.util.List.of("a1"), java.util.List.of("__typename"));
    assertThat(fixture.post(bomb).bodyAsJsonObject()).isEqualTo(fixture.direct(bomb).bodyAsJsonObject());
    // fragments that nest fields under new aliases at every level really do select 2^24 field paths: the walk stops
    started = System.nanoTime();
    assertThatThrownBy(() -> ParsedOperation.parse(fragmentBomb(24, true), null)).isInstanceOf(ParsedOperation.TooComplex.class);
    assertThat(System.nanoTime() - started).as("bounded, not a measurement").isLessThan(2_000_000_000L);
    // and such a document is forwarded untouched, as one that does not parse: a valid one is the upstream's to answer,
    // as it would be without the gateway (250 users of 100 aliased names each: 25,000 fields, once refused with a 400)
    StringBuilder big = new StringBuilder("query Big {");
    for (int i = 0; i < 250; i++) {
      big.append(" u").append(i).append(": user(id: \"1\") { ...F }");
    }
    big.append(" } fragment F on User {");
    for (int i = 0; i < 100; i++) {
      big.append(" a").append(i).append(": name");
    }
    String many = big.append(" }").toString();
    HttpResponse<Buffer> forwarded = fixture.post(many);
    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(forwarded.bodyAsJsonObject()).isEqualTo(fixture.direct(many).bodyAsJsonObject());
    assertThat(fixture.post(USER_ORDERS).statusCode()).as("the listener still serves").isEqualTo(200);
  }

  @Test
  void theListenersRootIsTheUpstreamsEndpointItselfWithNoSlashAdded() throws Exception {
    fixture = new GraphQlFixture(null); // its upstream is http://127.0.0.1:PORT/graphql
    assertThat(fixture.post("{ hello }").statusCode()).isEqualTo(200);
    assertThat(fixture.client.get(fixture.port, "127.0.0.1", "/?query=%7B%20hello%20%7D").send().await().statusCode()).isEqualTo(200);
    fixture.subscribe("subscription { feed(count: 1) { name } }");
    // /graphql/ is another path to a server routing exact paths (gqlgen's /query answers it 404), as it would be behind nginx
    assertThat(fixture.upstreamTargets).containsExactly("/graphql", "/graphql?query=%7B%20hello%20%7D", "/graphql");
    // a target in absolute form (as a client sends a proxy) is asked for in origin form: it was "/graphqlhttp://h/"
    String body = "{\"query\":\"{ hello }\"}";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("POST http://h/?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .startsWith("HTTP/1.1 200").contains("\"hello\":\"world\"");
    }
    assertThat(fixture.upstreamTargets.get(3)).isEqualTo("/graphql?x=1");
  }

  @Test
  void aDocumentThatDoesNotParseIsForwardedUntouchedEvenUnderChaos() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"error_probability\": 1.0}}");
    String broken = "{ user(id: \"1\" { name }";
    HttpResponse<Buffer> response = fixture.post(broken);
    assertThat(response.bodyAsJsonObject()).isEqualTo(fixture.direct(broken).bodyAsJsonObject());
    assertThat(response.getHeader("X-Faultline-Fault")).isNull();
  }

  @Test
  void operationErrorsAreSpecShapedWith200ByDefaultOrTheChosenStatus() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"error_probability\": 1.0}}");
    int hits = fixture.upstreamHits.get();
    HttpResponse<Buffer> response = fixture.post(USER_ORDERS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("X-Faultline-Fault")).isEqualTo("graphql_error");
    JsonObject error = response.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("message")).isEqualTo("Internal server error: injected fault");
    assertThat(error.getJsonObject("extensions").getString("code")).isEqualTo("INTERNAL_SERVER_ERROR");
    assertThat(response.bodyAsJsonObject().containsKey("data")).isFalse();
    assertThat(fixture.upstreamHits.get()).isEqualTo(hits);

    fixture.setChaos("{\"enabled\": true, \"graphql\": {\"error_probability\": 1.0, \"error_status\": 503,"
        + " \"error_code\": \"DOWNSTREAM_SERVICE_ERROR\", \"error_message\": \"inventory is down\"}}");
    HttpResponse<Buffer> chosen = fixture.post(USER_ORDERS);
    assertThat(chosen.statusCode()).isEqualTo(503);
    assertThat(chosen.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("message")).isEqualTo("inventory is down");
  }

  /**
   * A large generated document (18,000 fields: past graphql-java's default 15,000 tokens) and a deep one (40 levels of
   * fields: past the walk's old bound of 32) are read whole: the first went untouched by every rule, the second's deep
   * fields unseen by rules and field faults.
   */
  @Test
  void aLargeOrDeepDocumentIsReadWhole() {
    StringBuilder wide = new StringBuilder("{");
    for (int i = 0; i < 18_000; i++) {
      wide.append(" f").append(i);
    }
    ParsedOperation large = ParsedOperation.parse(wide.append(" }").toString(), null);
    assertThat(large).as("parsed").isNotNull();
    assertThat(large.facts().fields()).hasSize(18_000).contains("Query.f17999");
    String deep = "{ " + "a { ".repeat(40) + "b" + " }".repeat(40) + " }";
    assertThat(ParsedOperation.parse(deep, null).facts().fields()).contains("Query" + ".a".repeat(40) + ".b");
  }

  /**
   * A field that @skip(if: true) or @include(if: false) leaves out is not selected: a field fault on it left
   * the answer untouched but was counted, and `fields` rules matched it. One whose condition is a variable
   * counts as selected (a document is parsed once for every request that sends it).
   */
  @Test
  void aFieldItsDirectivesLeaveOutIsNotSelected() {
    assertThat(ParsedOperation.parse("{ user(id: \"1\") { name orders @include(if: false) { id } } }", null).facts().fields())
        .containsExactlyInAnyOrder("Query.user", "Query.user.name");
    assertThat(ParsedOperation.parse("{ user(id: \"1\") { name ... @skip(if: true) { orders { id } } } }", null).facts().fields())
        .containsExactlyInAnyOrder("Query.user", "Query.user.name");
    assertThat(ParsedOperation.parse("query Q { user(id: \"1\") { ...O @skip(if: true) name } } fragment O on User { orders { id } }", null)
        .facts().fields()).containsExactlyInAnyOrder("Query.user", "Query.user.name");
    assertThat(ParsedOperation.parse("query Q($o: Boolean!) { user(id: \"1\") { orders @include(if: $o) { id } } }", null).facts().fields())
        .contains("Query.user.orders");
    assertThat(ParsedOperation.parse("{ user(id: \"1\") { orders @include(if: true) { id } } }", null).facts().fields())
        .contains("Query.user.orders");

    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.user.orders\","
        + " \"error_probability\": 1.0}]}}");
    String skipped = "{ user(id: \"1\") { name orders @include(if: false) { id } } }";
    var answer = fixture.post(skipped);
    assertThat(answer.bodyAsJsonObject()).isEqualTo(fixture.direct(skipped).bodyAsJsonObject());
    assertThat(answer.getHeader("X-Faultline-Fault")).isNull();
  }

  @Test
  void aFieldFaultNullsTheFieldAndPointsAnErrorAtIt() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.user.orders\","
        + " \"error_probability\": 1.0, \"code\": \"ORDERS_UNAVAILABLE\"}, {\"field\": \"Query.users.orders\", \"error_probability\": 1.0}]}}");
    JsonObject body = fixture.post(USER_ORDERS).bodyAsJsonObject();
    assertThat(body.getJsonObject("data").getJsonObject("user").getString("name")).isEqualTo("Ada");
    assertThat(body.getJsonObject("data").getJsonObject("user").containsKey("orders")).isTrue();
    assertThat(body.getJsonObject("data").getJsonObject("user").getValue("orders")).isNull();
    JsonObject error = body.getJsonArray("errors").getJsonObject(0);
    assertThat(error.getJsonArray("path")).isEqualTo(new JsonArray().add("user").add("orders"));
    assertThat(error.getJsonObject("extensions").getString("code")).isEqualTo("ORDERS_UNAVAILABLE");
    assertThat(error.getString("message")).isEqualTo("Cannot resolve field orders: injected fault");

    // Aliases name the response keys; lists give one error per element, with the index in the path.
    JsonObject aliased = fixture.post("{ people: users { name purchases: orders { id } } }").bodyAsJsonObject();
    assertThat(aliased.getJsonObject("data").getJsonArray("people").getJsonObject(1).getString("name")).isEqualTo("Linus");
    assertThat(aliased.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getJsonArray("path").encode())
        .containsExactly("[\"people\",0,\"purchases\"]", "[\"people\",1,\"purchases\"]");

    // Fragments count as selections.
    JsonObject fragment = fixture.post("query Q { user(id: \"2\") { ...Bits } } fragment Bits on User { orders { id } }").bodyAsJsonObject();
    assertThat(fragment.getJsonObject("data").getJsonObject("user").getValue("orders")).isNull();

    // An operation that does not select the field is untouched.
    JsonObject other = fixture.post("{ user(id: \"1\") { name } }").bodyAsJsonObject();
    assertThat(other.containsKey("errors")).isFalse();

    // A client that takes gzip (browsers, fetch, curl --compressed): the field is nulled all the same
    HttpResponse<Buffer> gzipped = fixture.client.post(fixture.port, "127.0.0.1", "/").putHeader("Accept-Encoding", "gzip")
        .sendJsonObject(new JsonObject().put("query", USER_ORDERS)).await();
    assertThat(gzipped.getHeader("Content-Encoding")).as("the upstream was asked for identity").isNull();
    assertThat(gzipped.bodyAsJsonObject().getJsonObject("data").getJsonObject("user").getValue("orders")).isNull();
    assertThat(gzipped.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
        .isEqualTo("ORDERS_UNAVAILABLE");
  }

  @Test
  void aNulledNonNullFieldMakesItsNearestNullableParentNullAsTheSchemaSays() {
    // Order.id is ID! and orders is [Order!]: a nulled id nulls its order, which nulls the list, which may be null.
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.user.orders.id\","
        + " \"error_probability\": 1.0}, {\"field\": \"Query.users.id\", \"error_probability\": 1.0}]}}");
    JsonObject body = fixture.post("{ user(id: \"1\") { name orders { id total } } }").bodyAsJsonObject();
    JsonObject user = body.getJsonObject("data").getJsonObject("user");
    assertThat(user.getString("name")).isEqualTo("Ada");
    assertThat(user.containsKey("orders")).isTrue();
    assertThat(user.getValue("orders")).isNull();
    assertThat(body.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getJsonArray("path").encode())
        .containsExactly("[\"user\",\"orders\",0,\"id\"]", "[\"user\",\"orders\",1,\"id\"]");

    // users is [User!]! and User.id is ID!: nothing above may be null, so data itself becomes null.
    JsonObject users = fixture.post("{ users { id name } }").bodyAsJsonObject();
    assertThat(users.containsKey("data")).isTrue();
    assertThat(users.getValue("data")).isNull();
    assertThat(users.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getJsonArray("path").encode())
        .containsExactly("[\"users\",0,\"id\"]", "[\"users\",1,\"id\"]");

    // A nullable field stays a plain null: the user and its other fields are kept.
    JsonObject plain = fixture.post("{ user(id: \"2\") { name } users { name } }").bodyAsJsonObject();
    assertThat(plain.containsKey("errors")).isFalse();
  }

  /**
   * A browser's request (Accept-Encoding: gzip) still gets its nulls propagated: the introspection copied the header,
   * the upstream gzipped the schema, which this client cannot read, and the schema stayed unknown.
   */
  @Test
  void aBrowsersAcceptEncodingDoesNotHideTheSchema() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.user.orders.id\","
        + " \"error_probability\": 1.0}]}}");
    JsonObject body = fixture.client.post(fixture.port, "127.0.0.1", "/").putHeader("Accept-Encoding", "gzip, deflate, br")
        .sendJsonObject(new JsonObject().put("query", "{ user(id: \"1\") { name orders { id total } } }")).await().bodyAsJsonObject();
    JsonObject user = body.getJsonObject("data").getJsonObject("user");
    assertThat(user.containsKey("orders")).isTrue();
    assertThat(user.getValue("orders")).as(body.encode()).isNull();
  }

  @Test
  void withoutIntrospectionUpstreamANulledNonNullFieldStaysWhereItWasPut() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      java.util.concurrent.atomic.AtomicInteger introspections = new java.util.concurrent.atomic.AtomicInteger();
      io.vertx.core.http.HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(sent -> {
        boolean introspection = sent.toString().contains("__schema");
        if (introspection) {
          introspections.incrementAndGet();
        }
        request.response().putHeader("Content-Type", "application/json").end(introspection
            ? "{\"errors\": [{\"message\": \"introspection is disabled\"}]}"
            : "{\"data\": {\"users\": [{\"id\": \"1\", \"name\": \"Ada\"}]}}");
      })).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
      io.faultline.chaos.config.ListenerConfig listener = new io.faultline.chaos.config.ListenerConfig("gql", "graphql", "127.0.0.1", 0,
          "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 2_000L, null, 1, null, null);
      GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, new io.faultline.chaos.state.ChaosState(GraphQlFixture.chaos(
          "{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.users.id\", \"error_probability\": 1.0}]}}"),
          System::nanoTime, 42), new io.faultline.chaos.listener.ConnectionGate(), 0, io.faultline.chaos.event.ChaosListener.NOOP);
      vertx.deployVerticle(verticle).await();
      io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(vertx);
      for (int i = 0; i < 2; i++) {
        JsonObject body = client.post(verticle.actualPort(), "127.0.0.1", "/graphql")
            .sendJsonObject(new JsonObject().put("query", "{ users { id name } }")).await().bodyAsJsonObject();
        assertThat(body.getJsonObject("data").getJsonArray("users").getJsonObject(0).getValue("id")).isNull();
        assertThat(body.getJsonObject("data").getJsonArray("users").getJsonObject(0).getString("name")).isEqualTo("Ada");
      }
      assertThat(introspections.get()).as("asked once, then remembered").isEqualTo(1);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aFieldDelayOnlySlowsOperationsThatSelectTheField() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.user.orders\", \"delay_ms\": 300}]}}");
    long start = System.nanoTime();
    fixture.post("{ user(id: \"1\") { name } }");
    long plain = (System.nanoTime() - start) / 1_000_000;
    start = System.nanoTime();
    JsonObject slow = fixture.post(USER_ORDERS).bodyAsJsonObject();
    long selected = (System.nanoTime() - start) / 1_000_000;
    assertThat(selected).isGreaterThanOrEqualTo(295);
    assertThat(plain).isLessThan(295);
    assertThat(slow.containsKey("errors")).isFalse();
  }

  @Test
  void rulesTargetOperationTypesNamesAndFields() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": ["
        + "{\"name\": \"no-checkout\", \"match\": {\"operation_type\": \"mutation\", \"operation_name\": \"Checkout*\"},"
        + "  \"graphql\": {\"error_probability\": 1.0, \"error_code\": \"PAYMENT_FAILED\"}},"
        + "{\"name\": \"slow-orders\", \"match\": {\"fields\": [\"Query.users.orders\"]}, \"latency\": {\"fixed_delay_ms\": 250}}]}");
    JsonObject failed = fixture.post("mutation CheckoutCart { checkout(total: 1) { id } }").bodyAsJsonObject();
    assertThat(failed.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code")).isEqualTo("PAYMENT_FAILED");
    JsonObject otherMutation = fixture.post("mutation Refund { checkout(total: 1) { id } }").bodyAsJsonObject();
    assertThat(otherMutation.getJsonObject("data").getJsonObject("checkout").getString("id")).isEqualTo("o-9");
    JsonObject query = fixture.post("query CheckoutPreview { hello }").bodyAsJsonObject();
    assertThat(query.getJsonObject("data").getString("hello")).isEqualTo("world");

    long start = System.nanoTime();
    fixture.post("{ users { orders { id } } }");
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(245);
  }

  /**
   * Apollo's automatic persisted queries: once the server knows a query, its client sends the hash alone. The gateway
   * keeps a document it saw whole under its hash, so rules and faults act on the hash-only requests after it, POST and
   * GET (they were forwarded untouched: a fault on Checkout hit the first checkout and no later one). A hash it never
   * saw whole stays untouched, and a document sent under another's hash is not kept for it.
   */
  @Test
  void aPersistedQuerySentByItsHashAloneIsTargetedAsTheDocumentItStandsFor() throws Exception {
    PersistedQueries.clear();
    fixture = new GraphQlFixture("{\"enabled\": true, \"rules\": ["
        + "{\"name\": \"no-checkout\", \"match\": {\"operation_name\": \"Checkout*\"},"
        + "  \"graphql\": {\"error_probability\": 1.0, \"error_code\": \"PAYMENT_FAILED\"}}]}");
    String checkout = "mutation CheckoutCart { checkout(total: 1) { id } }";
    JsonObject extensions = new JsonObject().put("persistedQuery", new JsonObject().put("version", 1).put("sha256Hash", sha256(checkout)));
    JsonObject hashOnly = new JsonObject().put("operationName", "CheckoutCart").put("extensions", extensions);
    assertThat(fixture.post(hashOnly).getHeader("X-Faultline-Fault")).as("a hash never seen whole").isNull();
    HttpResponse<Buffer> whole = fixture.post(hashOnly.copy().put("query", checkout));
    assertThat(whole.getHeader("X-Faultline-Fault")).isEqualTo("graphql_error");
    HttpResponse<Buffer> byHash = fixture.post(hashOnly);
    assertThat(byHash.getHeader("X-Faultline-Fault")).as("the hash alone, after the document").isEqualTo("graphql_error");
    assertThat(byHash.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
        .isEqualTo("PAYMENT_FAILED");
    HttpResponse<Buffer> get = fixture.client.get(fixture.port, "127.0.0.1", "/").addQueryParam("operationName", "CheckoutCart")
        .addQueryParam("extensions", extensions.encode()).send().await();
    assertThat(get.getHeader("X-Faultline-Fault")).as("GET, the hash alone").isEqualTo("graphql_error");

    String other = "mutation CheckoutOther { checkout(total: 2) { id } }";
    JsonObject otherExtensions = new JsonObject().put("persistedQuery", new JsonObject().put("version", 1).put("sha256Hash", sha256(other)));
    fixture.post(new JsonObject().put("query", "mutation Refund { checkout(total: 1) { id } }").put("extensions", otherExtensions));
    assertThat(fixture.post(new JsonObject().put("extensions", otherExtensions)).getHeader("X-Faultline-Fault"))
        .as("a hash that is not its document's is not kept").isNull();
  }

  private static String sha256(String text) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * A field the upstream failed itself (null, with its own error at that path) is left as it came: the fault added a
   * second error for the same place, which a failing server never gives. A field the upstream answered null with no
   * error is still failed by the fault, as a resolver that throws would be.
   */
  @Test
  void aFieldTheUpstreamFailedItselfGetsNoSecondError() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.slow\", \"error_probability\": 1.0},"
        + " {\"field\": \"Query.header\", \"error_probability\": 1.0}]}}");
    String failing = "{ slow(ms: 0) }"; // the upstream's resolver throws (a 0 ms timer): null, and its error at [slow]
    JsonObject direct = fixture.direct(failing).bodyAsJsonObject();
    assertThat(direct.getJsonArray("errors")).hasSize(1);
    HttpResponse<Buffer> relayed = fixture.post(failing);
    assertThat(relayed.bodyAsJsonObject().getJsonArray("errors")).as("the upstream's error alone").isEqualTo(direct.getJsonArray("errors"));
    assertThat(relayed.getHeader("X-Faultline-Fault")).as("nothing was done to it").isNull();

    JsonObject legitNull = fixture.post("{ header(name: \"x-not-sent\") }").bodyAsJsonObject();
    assertThat(legitNull.getJsonArray("errors")).extracting(e -> ((JsonObject) e).getJsonArray("path").encode())
        .containsExactly("[\"header\"]");
  }

  /** A GET whose query has a broken escape goes on untouched: Vert.x's decoder threw, and the client was never answered. */
  @Test
  void aGetWithABrokenEscapeIsForwardedAndAnswered() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.hello\", \"error_probability\": 1.0}]}}");
    HttpResponse<Buffer> answer = fixture.client.get(fixture.port, "127.0.0.1", "/?query=%7B%20hello(x:%22100%%22)%20%7D")
        .timeout(5_000).send().await();
    assertThat(answer.statusCode()).as("the upstream's own answer to what it cannot read").isBetween(200, 499);
    assertThat(answer.getHeader("X-Faultline-Fault")).isNull();
  }

  /**
   * A batch the gateway answers itself (a rate limit here) gets one answer per operation, as Apollo's BatchHttpLink reads
   * a batch's answer: a single object failed every operation with "expected length of 2", the code and Retry-After unseen.
   */
  @Test
  void aBatchRefusedByChaosGetsOneAnswerPerOperation() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rate_limit\": {\"requests_per_second\": 0.01, \"burst_size\": 1}}");
    String batch = "[{\"query\": \"{ hello }\"}, {\"query\": \"{ hello }\", \"operationName\": null}]";
    fixture.client.post(fixture.port, "127.0.0.1", "/").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(batch)).await(); // the bucket's one token
    HttpResponse<Buffer> limited = fixture.client.post(fixture.port, "127.0.0.1", "/").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(batch)).await();
    assertThat(limited.statusCode()).isEqualTo(200);
    assertThat(limited.getHeader("Retry-After")).isNotNull();
    JsonArray answers = limited.bodyAsJsonArray();
    assertThat(answers).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(answers.getJsonObject(i).getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
          .isEqualTo("RATE_LIMITED");
    }
    // an array that is not of operations, or of more than a thousand, gets the one answer: 4 MiB of [0,0,...] was
    // answered with some two million copies of it
    String notOperations = "[" + "0,".repeat(1_000) + "0]";
    String tooMany = "[" + "{\"query\": \"{ hello }\"},".repeat(1_000) + "{\"query\": \"{ hello }\"}]";
    for (String body : java.util.List.of(notOperations, tooMany)) {
      HttpResponse<Buffer> one = fixture.client.post(fixture.port, "127.0.0.1", "/").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(body)).await();
      assertThat(one.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
          .isEqualTo("RATE_LIMITED");
    }
  }

  @Test
  void rateLimitsAnswerAsRateLimitedGraphQlErrors() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"rate_limit\": {\"requests_per_second\": 1, \"burst_size\": 1}}");
    assertThat(fixture.post("{ hello }").bodyAsJsonObject().getJsonObject("data").getString("hello")).isEqualTo("world");
    HttpResponse<Buffer> limited = fixture.post("{ hello }");
    assertThat(limited.statusCode()).isEqualTo(200);
    assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
    assertThat(limited.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
        .isEqualTo("RATE_LIMITED");
  }

  @Test
  void httpErrorsTimeoutsAndUpstreamFailuresKeepTheirHttpMeaning() {
    fixture = new GraphQlFixture("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
    HttpResponse<Buffer> error = fixture.post("{ hello }");
    assertThat(error.statusCode()).isEqualTo(503);
    assertThat(error.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"))
        .isEqualTo("SERVICE_UNAVAILABLE");

    fixture.setChaos("{\"enabled\": true, \"fault_injection\": {\"timeout_probability\": 1.0, \"timeout_ms\": 200}}");
    long start = System.nanoTime();
    Throwable closed = fixture.client.post(fixture.port, "127.0.0.1", "/")
        .sendJsonObject(new JsonObject().put("query", "{ hello }")).map(r -> (Throwable) null).otherwise(e -> e).await();
    assertThat(closed).isNotNull();
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(195);

    fixture.setChaos(null);
    fixture.upstream.close().await();
    HttpResponse<Buffer> down = fixture.post("{ hello }");
    assertThat(down.statusCode()).isEqualTo(502);
    JsonObject downError = down.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(downError.getString("message")).startsWith("upstream unavailable: http://127.0.0.1:");
    assertThat(downError.getJsonObject("extensions").getString("code")).isEqualTo("BAD_GATEWAY");
  }

  @Test
  void anUpstreamSlowerThanTheRouteTimeoutIs504() {
    fixture = new GraphQlFixture(null);
    long start = System.nanoTime();
    HttpResponse<Buffer> slow = fixture.post("{ slow(ms: 5000) }");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(slow.statusCode()).isEqualTo(504);
    JsonObject error = slow.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("message")).startsWith("upstream timed out: http://127.0.0.1:");
    // the fixture's route timeout is 2 s; the upper bound only has to stay well below the upstream's 5 s
    assertThat(elapsedMs).isBetween(1_950L, 4_000L);
    assertThat(fixture.post("{ hello }").bodyAsJsonObject().getJsonObject("data").getString("hello")).as("the next one goes through")
        .isEqualTo("world");
  }
}
