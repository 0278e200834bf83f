package io.trynow.gateway.rest;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The pass that marks a startup warm-up's {@code POST /v1/demos} as a rehearsal of a warm hit
 * ({@link AcquireWarmUp}): a random value of this process, sent in the {@value #HEADER} header,
 * that exists only while a warm-up runs. A rehearsal takes the warm hit's whole path through the
 * listener and {@link AcquireRoute} but claims no instance and counts nothing ({@link
 * io.trynow.gateway.acquire.Acquirer#acquireAsync}); any other request, with this header or not, is
 * an ordinary acquire. The value never leaves the process but on the warm-up's own loopback socket.
 */
@Singleton
public class WarmUpPass {

  /** The request header that carries the pass. */
  public static final String HEADER = "Trynow-Warm-Up";

  private static final SecureRandom RANDOM = new SecureRandom();

  private volatile byte[] open;

  /** Opens a pass for one warm-up run and returns its value (a new one each time). */
  public synchronized String open() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    String value = HexFormat.of().formatHex(b);
    open = value.getBytes(StandardCharsets.US_ASCII);
    return value;
  }

  /** Ends the pass: from now on no request is a rehearsal until the next {@link #open}. */
  public synchronized void close() {
    open = null;
  }

  /** Whether {@code header} is the open pass (compared in constant time). */
  public boolean admits(String header) {
    byte[] now = open;
    return now != null
        && header != null
        && MessageDigest.isEqual(now, header.getBytes(StandardCharsets.US_ASCII));
  }
}
