package io.faultline.orchestration.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Allow-list entries name a scheme, a host and a port, and allow only that. */
class HttpAllowListTest {

  private static boolean allows(HttpAllowList list, String url) {
    return list.refusal(URI.create(url)) == null;
  }

  @Test
  void anOriginAllowsThatSchemeHostAndPortOnly() {
    HttpAllowList list = new HttpAllowList(Set.of("http://localhost:8080"));
    assertThat(allows(list, "http://localhost:8080/hook")).isTrue();
    assertThat(allows(list, "http://LOCALHOST:8080")).isTrue();
    assertThat(allows(list, "http://localhost:9000/api/chaos/enable")).as("the node's admin port").isFalse();
    assertThat(allows(list, "https://localhost:8080/")).isFalse();
    assertThat(allows(list, "http://127.0.0.1:8080/")).isFalse();
    assertThat(list.refusal(URI.create("http://localhost:9000/x"))).startsWith(
        "http://localhost:9000 is not in orchestration.http_allow_list [http://localhost:8080]");
  }

  @Test
  void hostPortAllowsBothSchemesAndABareHostTheDefaultPorts() {
    HttpAllowList list = new HttpAllowList(Set.of("127.0.0.1:7000", "hooks.example.com", "https://secure.example.com", "[::1]:81"));
    assertThat(allows(list, "http://127.0.0.1:7000/")).isTrue();
    assertThat(allows(list, "https://127.0.0.1:7000/")).isTrue();
    assertThat(allows(list, "http://127.0.0.1:7001/")).isFalse();
    assertThat(allows(list, "http://hooks.example.com/x")).isTrue();
    assertThat(allows(list, "https://hooks.example.com/x")).isTrue();
    assertThat(allows(list, "http://hooks.example.com:8080/x")).isFalse();
    assertThat(allows(list, "https://secure.example.com/x")).isTrue();
    assertThat(allows(list, "http://secure.example.com/x")).isFalse();
    assertThat(allows(list, "http://[::1]:81/x")).isTrue();
    assertThat(allows(list, "ftp://hooks.example.com/x")).isFalse();
  }

  @Test
  void anEntryThatNamesNoOriginIsRefusedNamingIt() {
    assertThatThrownBy(() -> new HttpAllowList(Set.of("ftp://x.example")))
        .hasMessage("orchestration.http_allow_list: the scheme must be http or https, got \"ftp://x.example\"");
    assertThatThrownBy(() -> new HttpAllowList(Set.of("http://x.example/path")))
        .hasMessageContaining("write a host, host:port or scheme://host:port, nothing more");
    assertThatThrownBy(() -> new HttpAllowList(Set.of("bad host")))
        .hasMessageContaining("got \"bad host\"");
  }
}
