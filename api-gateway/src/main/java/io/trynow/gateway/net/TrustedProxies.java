package io.trynow.gateway.net;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides the client IP of a request: the TCP peer, unless the peer is a configured trusted proxy,
 * in which case the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy.
 * Right-most, because every proxy appends: entries left of the first untrusted hop are whatever the
 * client wrote and cannot be believed.
 */
public final class TrustedProxies {

  private final List<Cidr> blocks;

  private TrustedProxies(List<Cidr> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /**
   * Parses the configured list.
   *
   * @throws IllegalArgumentException naming the first bad entry
   */
  public static TrustedProxies parse(List<String> entries) {
    List<Cidr> out = new ArrayList<>();
    for (String e : entries) {
      out.add(Cidr.parse(e));
    }
    return new TrustedProxies(out);
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  public boolean isTrusted(String address) {
    byte[] b = Cidr.literal(address);
    if (b == null) {
      return false;
    }
    for (Cidr c : blocks) {
      if (c.contains(b)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client address.
   *
   * @param peer the TCP peer address
   * @param forwardedFor the {@code X-Forwarded-For} header values in arrival order (may be empty)
   */
  public String clientIp(String peer, List<String> forwardedFor) {
    String peerIp = normalize(peer);
    if (!isTrusted(peerIp) || forwardedFor == null || forwardedFor.isEmpty()) {
      return peerIp;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String part : header.split(",", -1)) {
        hops.add(part.strip());
      }
    }
    if (hops.isEmpty()) {
      return peerIp;
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = normalize(hops.get(i));
      if (Cidr.literal(hop) == null) {
        // Garbage in the chain: the last trusted hop is the best we know.
        return i == hops.size() - 1 ? peerIp : normalize(hops.get(i + 1));
      }
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return normalize(hops.get(0));
  }

  /** Strips brackets and an IPv6 zone; lower-cases; maps {@code ::ffff:a.b.c.d} to IPv4. */
  static String normalize(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    if (t.startsWith("[") && t.contains("]")) {
      t = t.substring(1, t.indexOf(']'));
    }
    int zone = t.indexOf('%');
    if (zone >= 0) {
      t = t.substring(0, zone);
    }
    byte[] b = Cidr.literal(t);
    if (b == null) {
      return t;
    }
    try {
      return java.net.InetAddress.getByAddress(b).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return t;
    }
  }
}
