package io.trynow.platform.template;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The on-claim hook's signature header: {@code X-Trynow-Signature: sha256=<hex HMAC-SHA256>}. */
public final class HookSignature {

  /** The header that carries it. */
  public static final String HEADER = "X-Trynow-Signature";

  private HookSignature() {}

  /** {@code sha256=<hex HMAC-SHA256(secret, body)>}. */
  public static String of(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
