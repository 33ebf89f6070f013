package io.faultline.orchestration.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A long run's errors keep the first ones and the last: the last say how it ended, and were left out as "and N more". */
class BoundedTest {

  @Test
  void aLongListOfFirstLinesKeepsItsNewestToo() {
    Bounded errors = new Bounded(RunState.KEPT_LINES, false);
    for (int i = 0; i < 1_500; i++) {
      errors.add("step " + i + " failed");
    }
    errors.add("aborted: abort_when held for 5 s");
    List<String> kept = errors.list();
    assertThat(kept).hasSize(RunState.KEPT_LINES + 1);
    assertThat(kept.get(0)).isEqualTo("step 0 failed");
    assertThat(kept.get(RunState.KEPT_LINES - Bounded.TAIL)).isEqualTo("501 more left out here");
    assertThat(kept.get(kept.size() - 1)).isEqualTo("aborted: abort_when held for 5 s");
    assertThat(kept.get(kept.size() - 2)).isEqualTo("step 1499 failed");

    Bounded few = new Bounded(RunState.KEPT_LINES, false);
    for (int i = 0; i < RunState.KEPT_LINES; i++) {
      few.add("line " + i);
    }
    assertThat(few.list()).as("nothing left out: no gap said").hasSize(RunState.KEPT_LINES).last().isEqualTo("line 999");
  }
}
