package io.trynow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sparse bench names the requests that make its tail. */
class SparseBenchTest {

  @Test
  void printsTheFirstTwentyAndTheSlowestWithTheirIndex() {
    double[] ms = new double[25];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = 4.0;
    }
    ms[0] = 36.1;
    ms[3] = 12.5;
    ms[24] = 20.0;
    String s = SparseBench.eachRequest(ms);
    assertThat(s.lines().findFirst().orElseThrow())
        .startsWith("first 20 (ms): 36.1 4.0 4.0 12.5 4.0")
        .doesNotContain("20.0");
    assertThat(s).contains("slowest (#index: ms): #0: 36.1 #24: 20.0 #3: 12.5 #");
  }
}
