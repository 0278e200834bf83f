package io.trynow.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private final TrustedProxies proxies =
      TrustedProxies.parse(List.of("10.0.0.0/8", "::1", "fd00::/8"));

  @Test
  void peerIsTheClientWhenItIsNotATrustedProxy() {
    assertThat(proxies.clientIp("203.0.113.7", List.of("1.2.3.4"))).isEqualTo("203.0.113.7");
  }

  @Test
  void noProxiesConfiguredMeansForwardedForIsIgnored() {
    assertThat(TrustedProxies.none().clientIp("127.0.0.1", List.of("1.2.3.4")))
        .isEqualTo("127.0.0.1");
  }

  @Test
  void trustedPeerYieldsTheRightMostUntrustedHop() {
    // The client wrote "6.6.6.6" itself; 198.51.100.9 is what our first proxy saw.
    assertThat(proxies.clientIp("10.1.2.3", List.of("6.6.6.6, 198.51.100.9, 10.9.9.9")))
        .isEqualTo("198.51.100.9");
    assertThat(proxies.clientIp("10.1.2.3", List.of("6.6.6.6", "198.51.100.9")))
        .isEqualTo("198.51.100.9");
  }

  @Test
  void ipv6PeerAndMappedAddresses() {
    assertThat(proxies.clientIp("::1", List.of("2001:db8::5"))).isEqualTo("2001:db8:0:0:0:0:0:5");
    assertThat(proxies.clientIp("::ffff:10.0.0.1", List.of("198.51.100.1")))
        .isEqualTo("198.51.100.1");
    assertThat(proxies.isTrusted("fd12::1")).isTrue();
    assertThat(proxies.isTrusted("fe80::1")).isFalse();
  }

  @Test
  void garbageInTheChainNeverBecomesTheClientIp() {
    assertThat(proxies.clientIp("10.1.2.3", List.of("not-an-ip"))).isEqualTo("10.1.2.3");
    assertThat(proxies.clientIp("10.1.2.3", List.of("evil, 198.51.100.9")))
        .isEqualTo("198.51.100.9");
    assertThat(proxies.clientIp("10.1.2.3", List.of("198.51.100.9, <script>")))
        .isEqualTo("10.1.2.3");
    // Found by FuzzIT: "".split(",") has no elements.
    assertThat(proxies.clientIp("10.1.2.3", List.of(",,,"))).isEqualTo("10.1.2.3");
    assertThat(proxies.clientIp("10.1.2.3", List.of(""))).isEqualTo("10.1.2.3");
  }

  @Test
  void finding15_badEntriesAreRejectedNotIgnored() {
    for (String bad :
        List.of("10.0.0.0/33", "300.1.1.1", "example.com", "10.0.0.0/x", "", "::1/129", ".:1")) {
      assertThatThrownBy(() -> TrustedProxies.parse(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void cidrMatching() {
    Cidr c = Cidr.parse("192.168.4.0/22");
    assertThat(c.contains(Cidr.literal("192.168.7.255"))).isTrue();
    assertThat(c.contains(Cidr.literal("192.168.8.0"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("8.8.8.8"))).isTrue();
  }
}
