package io.faultline.orchestration.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command hook's process, run for real. */
class CommandActionTest {

  @TempDir
  Path dir;

  /**
   * A command past its timeout is ended with what it started, as a stop ends it: {@code sleep 41 & sleep 42}
   * with a 1 s timeout left both sleeps running, handed over to PID 1.
   */
  @Test
  void aCommandPastItsTimeoutIsEndedWithWhatItStarted() throws Exception {
    Path pid = dir.resolve("child.pid");
    List<String> argv = List.of("bash", "-c", "sleep 41 & echo $! > " + pid + "; sleep 42");
    assertThatThrownBy(() -> CommandAction.execute(argv, dir.toString(), 1_000, () -> false))
        .isInstanceOf(ActionFailed.class).hasMessageContaining("did not finish in 1.0 s");
    long child = Long.parseLong(Files.readString(pid).trim());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the command's child, pid " + child).isFalse();
  }
}
