package io.trynow.gateway.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code ::1}, {@code 127.0.0.1}). */
public record Cidr(byte[] network, int prefixBits) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F.]*:[0-9a-fA-F:.]*");

  /**
   * Parses a literal address or block. Never resolves names: anything that is not a literal IPv4 or
   * IPv6 address is rejected.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty entry");
    }
    String s = text.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block");
    }
    int max = bytes.length * 8;
    int bits = max;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("'" + s + "' has a bad prefix length");
      }
      bits = Integer.parseInt(p);
      if (bits > max) {
        throw new IllegalArgumentException("'" + s + "' has a prefix length above " + max);
      }
    }
    return new Cidr(mask(bytes, bits), bits);
  }

  /** The literal address as bytes, or null when {@code s} is not a literal IP address. */
  public static byte[] literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return null;
    }
    byte[] fast = plainV4(s);
    if (fast != null) {
      return fast;
    }
    boolean v4 = IPV4.matcher(s).matches();
    if (!v4 && !IPV6.matcher(s).matches()) {
      return null;
    }
    if (v4) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      // Literal only: a string that starts with a hex digit or ':' and holds a ':' is parsed as an
      // IPv6 literal or rejected by getByName; it never reaches a name lookup.
      byte[] b = InetAddress.getByName(s).getAddress();
      return v4 || b.length == 16 ? b : mapped(b);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * A dotted-quad IPv4 address without leading zeros ({@code 203.0.113.7}) as its 4 bytes, parsed
   * by hand; null for anything else, which {@link #literal} then checks the slow way. Every
   * request's peer address goes through here (trusted proxies), so no regex, split or {@link
   * InetAddress}.
   */
  static byte[] plainV4(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return null;
    }
    byte[] out = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (digits == 0 || part == 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return null; // a leading zero: left to the slow path, as before
        }
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    if (digits == 0 || part != 3) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  /** True when {@code address} (bytes of an IPv4 or IPv6 address) lies in this block. */
  public boolean contains(byte[] address) {
    if (address == null) {
      return false;
    }
    byte[] a = address;
    if (a.length != network.length) {
      a = a.length == 16 ? unmapped(a) : mapped(a);
      if (a == null || a.length != network.length) {
        return false;
      }
    }
    byte[] masked = mask(a, prefixBits);
    return java.util.Arrays.equals(masked, network);
  }

  private static byte[] mask(byte[] bytes, int bits) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  private static byte[] mapped(byte[] v4) {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(v4, 0, b, 12, 4);
    return b;
  }

  private static byte[] unmapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return null;
      }
    }
    if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
      return null;
    }
    byte[] b = new byte[4];
    System.arraycopy(v6, 12, b, 0, 4);
    return b;
  }
}
