package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tcp section: Toxiproxy's toxic form, its defaults, and every bad value refused naming its field. */
class TcpConfigTest {

  private static TcpConfig parse(String json) {
    return ChaosJson.parse(json, TcpConfig.class, "tcp");
  }

  private static ChaosConfigException refused(String json) {
    try {
      parse(json);
    } catch (ChaosConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void aToxicTakesToxiproxysDefaultsAndEveryAttributeOfItsType() {
    TcpConfig tcp = parse("{\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": 100}}]}");
    TcpToxic toxic = tcp.toxics().get(0);
    assertThat(toxic.name()).isEqualTo("latency_downstream");
    assertThat(toxic.stream()).isEqualTo("downstream");
    assertThat(toxic.toxicity()).isEqualTo(1.0);
    assertThat(toxic.attributes()).containsExactly(Map.entry("latency", 100L), Map.entry("jitter", 0L));
    assertThat(tcp.refusing()).isFalse();
    assertThat(ChaosJson.toMap(tcp.toxics().get(0))).containsOnlyKeys("name", "type", "stream", "toxicity", "attributes");
  }

  @Test
  void wholeNumbersWrittenWithAFractionOfZeroAreAcceptedAsJavaScriptSendsThem() {
    assertThat(parse("{\"toxics\": [{\"type\": \"bandwidth\", \"attributes\": {\"rate\": 100.0}}]}").toxics().get(0).attribute("rate"))
        .isEqualTo(100);
  }

  @Test
  void everyBadValueIsRefusedNamingItsField() {
    assertThat(refused("{\"toxics\": [{\"type\": \"lag\"}]}").field()).isEqualTo("tcp.toxics[0].type");
    assertThat(refused("{\"toxics\": [{\"type\": \"lag\"}]}").getMessage())
        .isEqualTo("must be one of [latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop], got lag");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"stream\": \"sideways\"}]}").field()).isEqualTo("tcp.toxics[0].stream");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"toxicity\": 1.5}]}").field()).isEqualTo("tcp.toxics[0].toxicity");
    ChaosConfigException negative = refused("{\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": -5}}]}");
    assertThat(negative.field()).isEqualTo("tcp.toxics[0].attributes.latency");
    assertThat(negative.getMessage()).isEqualTo("must be between 0 and 3600000 (ms), got -5");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": 1.5}}]}").getMessage())
        .isEqualTo("must be a whole number, got 1.5");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": \"100\"}}]}").field())
        .isEqualTo("tcp.toxics[0].attributes.latency");
    ChaosConfigException unknown = refused("{\"toxics\": [{\"type\": \"timeout\", \"attributes\": {\"latency\": 5}}]}");
    assertThat(unknown.field()).isEqualTo("tcp.toxics[0].attributes.latency");
    assertThat(unknown.getMessage()).isEqualTo("unknown attribute of a timeout toxic; expected one of [timeout]");
    assertThat(refused("{\"toxics\": [{\"type\": \"slicer\", \"attributes\": {\"average_size\": 0}}]}").field())
        .isEqualTo("tcp.toxics[0].attributes.average_size");
    assertThat(refused("{\"toxics\": [{\"type\": \"slicer\", \"attributes\": {\"average_size\": 10, \"size_variation\": 10}}]}")
        .field()).isEqualTo("tcp.toxics[0].attributes.size_variation");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"name\": \"a/b\"}]}").field()).isEqualTo("tcp.toxics[0].name");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\"}, {\"type\": \"latency\"}]}").field()).isEqualTo("tcp.toxics[1].name");
    assertThat(refused("{\"toxics\": [{\"type\": \"latency\", \"colour\": 1}]}").field()).isEqualTo("tcp.toxics[0].colour");
    assertThat(refused("{\"down\": \"yes\"}").field()).isEqualTo("tcp.down");
  }

  @Test
  void theSectionIsRegisteredAndReadInConfigsAndRules() {
    ChaosConfig config = ChaosJson.parse("""
        {"enabled": true, "rules": [{"name": "db", "match": {"listener": "db"},
          "tcp": {"down": true, "toxics": [{"type": "limit_data", "stream": "upstream", "attributes": {"bytes": 10}}]}}]}""",
        ChaosConfig.class, "");
    TcpConfig tcp = config.rules().get(0).tcp();
    assertThat(tcp.refusing()).isTrue();
    assertThat(tcp.toxic("limit_data_upstream").attribute("bytes")).isEqualTo(10);
    assertThat(Sections.byName("tcp").type()).isEqualTo(TcpConfig.class);
    assertThat(new TcpConfig(false, true, null).refusing()).as("a section switched off refuses nothing").isFalse();
  }
}
