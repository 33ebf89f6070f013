package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Utf8FilesTest {

  @TempDir
  Path dir;

  @Test
  void utf8TextIsReadAsItIs() throws Exception {
    Path file = Files.writeString(dir.resolve("ok.yaml"), "name: café ☕ 𝄞\nsteps: []\n");
    assertThat(Utf8Files.read(file)).isEqualTo("name: café ☕ 𝄞\nsteps: []\n");
    assertThat(Utf8Files.read(Files.writeString(dir.resolve("empty.yaml"), ""))).isEmpty();
  }

  @Test
  void theFirstByteThatIsNotUtf8IsNamedByLineAndColumn() throws Exception {
    Path file = Files.write(dir.resolve("latin1.yaml"), "a: 1\nb: 2\nname: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Utf8Files.read(file)).isInstanceOf(Utf8Files.NotUtf8.class)
        .hasMessage(file + " line 3, column 10: byte 0xE9 is not UTF-8; save the file as UTF-8");
    // a multi-byte character cut short at the end of the file
    Path cut = Files.write(dir.resolve("cut.yaml"), new byte[] {'x', ':', ' ', (byte) 0xE2, (byte) 0x98});
    assertThatThrownBy(() -> Utf8Files.read(cut)).hasMessage(cut + " line 1, column 4: byte 0xE2 is not UTF-8; save the file as UTF-8");
  }
}
