package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcPassThroughTest {

  @Test
  void grpcTimeoutIsReadInEveryUnitAndRoundedUpToMilliseconds() {
    assertThat(GrpcPassThrough.timeoutMs("400m")).isEqualTo(400);
    assertThat(GrpcPassThrough.timeoutMs("2S")).isEqualTo(2_000);
    assertThat(GrpcPassThrough.timeoutMs("1M")).isEqualTo(60_000);
    assertThat(GrpcPassThrough.timeoutMs("1H")).isEqualTo(3_600_000);
    assertThat(GrpcPassThrough.timeoutMs("1500u")).isEqualTo(2);
    assertThat(GrpcPassThrough.timeoutMs("1n")).isEqualTo(1);
    assertThat(GrpcPassThrough.timeoutMs("99999999H")).as("8 digits of hours fit a long").isEqualTo(99_999_999L * 3_600_000);
  }

  @Test
  void aMissingOrMalformedGrpcTimeoutMeansNoDeadline() {
    assertThat(GrpcPassThrough.timeoutMs(null)).isZero();
    assertThat(GrpcPassThrough.timeoutMs("m")).isZero();
    assertThat(GrpcPassThrough.timeoutMs("10x")).isZero();
    assertThat(GrpcPassThrough.timeoutMs("-5S")).isZero();
    assertThat(GrpcPassThrough.timeoutMs("123456789S")).as("more than 8 digits").isZero();
  }

  @Test
  void statusMessagesArePercentEncodedAsGrpcCarriesThem() {
    assertThat(GrpcPassThrough.percentEncoded("100% down: é")).isEqualTo("100%25 down: %C3%A9");
  }
}
