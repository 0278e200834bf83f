package io.trynow.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void plainIpv4IsParsedByHandAsInetAddressParsesIt() throws Exception {
    for (String s :
        List.of(
            "0.0.0.0", "127.0.0.1", "10.1.2.3", "192.168.7.255", "255.255.255.255", "8.8.8.8")) {
      assertThat(Cidr.plainV4(s)).as(s).isEqualTo(InetAddress.getByName(s).getAddress());
      assertThat(Cidr.literal(s)).as(s).isEqualTo(InetAddress.getByName(s).getAddress());
    }
  }

  @Test
  void anythingElseIsLeftToTheSlowPath() {
    for (String s :
        List.of(
            "",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "256.1.1.1",
            "1.2.3.1000",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.4 ",
            "a.b.c.d",
            "::1",
            "::ffff:10.0.0.1",
            "localhost")) {
      assertThat(Cidr.plainV4(s)).as(s).isNull();
    }
    assertThat(Cidr.literal("256.1.1.1")).isNull();
    assertThat(Cidr.literal("localhost")).isNull();
    assertThat(Cidr.literal("::1")).hasSize(16);
  }
}
