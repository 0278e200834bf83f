package io.trynow.testsupport;

import io.nats.client.NKey;
import io.nats.client.support.Encoding;
import io.nats.client.support.JwtUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A NATS operator made by the test, as {@code nsc} would make it: an operator, a system account and
 * one account with JetStream, each with its NKey and JWT (ed25519-nkey, JWT v2), and user
 * credentials files ({@code .creds}: user JWT + seed) issued by that account. A {@link NatsServer}
 * given {@link NatsServer.Auth#operator(NatsOperator)} runs in operator mode with the accounts
 * preloaded (memory resolver): only users whose JWT the account signed get in.
 */
public final class NatsOperator {

  private final NKey operator;
  private final NKey system;
  private final NKey account;
  private final String operatorJwt;
  private final String systemJwt;
  private final String accountJwt;

  private NatsOperator() {
    try {
      operator = NKey.createOperator(null);
      system = NKey.createAccount(null);
      account = NKey.createAccount(null);
      operatorJwt =
          jwt(operator, operator, "trynow-test-operator", "{\"type\":\"operator\",\"version\":2}");
      systemJwt = jwt(operator, system, "SYS", "{\"type\":\"account\",\"version\":2}");
      accountJwt =
          jwt(
              operator,
              account,
              "trynow",
              "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                  + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1,\"mem_storage\":-1,"
                  + "\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1},"
                  + "\"type\":\"account\",\"version\":2}");
    } catch (Exception e) {
      throw new IllegalStateException("cannot make NATS operator keys", e);
    }
  }

  /** A new operator with its system account and one JetStream account. */
  public static NatsOperator create() {
    return new NatsOperator();
  }

  /** A credentials file's text for a new user of the account. */
  public String userCreds(String name) {
    return creds(account, name);
  }

  /**
   * A credentials file's text for a user whose JWT another account (one the server does not know)
   * signed: the server must refuse it.
   */
  public String foreignUserCreds(String name) {
    try {
      return creds(NKey.createAccount(null), name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lines of {@code nats.conf} that put a server in operator mode with these accounts. */
  String serverConfig() {
    String sys = publicKey(system);
    return """
    operator: "%s"
    system_account: %s
    resolver: MEMORY
    resolver_preload: {
      %s: "%s"
      %s: "%s"
    }
    """
        .formatted(operatorJwt, sys, sys, systemJwt, publicKey(account), accountJwt);
  }

  private static String creds(NKey issuer, String name) {
    try {
      NKey user = NKey.createUser(null);
      String jwt =
          jwt(
              issuer,
              user,
              name,
              "{\"pub\":{},\"sub\":{},\"subs\":-1,\"data\":-1,\"payload\":-1,"
                  + "\"type\":\"user\",\"version\":2}");
      return String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt, new String(user.getSeed()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make NATS user credentials", e);
    }
  }

  /** A JWT v2 signed by {@code issuer} about {@code subject}, with the given {@code nats} claim. */
  private static String jwt(NKey issuer, NKey subject, String name, String nats)
      throws GeneralSecurityException, java.io.IOException {
    String claims =
        "\"iat\":%d,\"iss\":\"%s\",\"name\":\"%s\",\"sub\":\"%s\",\"nats\":%s"
            .formatted(
                System.currentTimeMillis() / 1000,
                publicKey(issuer),
                name,
                publicKey(subject),
                nats);
    String jti =
        new String(
                Encoding.base32Encode(
                    MessageDigest.getInstance("SHA-256")
                        .digest(claims.getBytes(StandardCharsets.UTF_8))))
            .replace("=", "");
    String body = "{\"jti\":\"" + jti + "\"," + claims + "}";
    String signed =
        b64("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + b64(body.getBytes(StandardCharsets.UTF_8));
    return signed + "." + b64(issuer.sign(signed.getBytes(StandardCharsets.UTF_8)));
  }

  private static String publicKey(NKey k) {
    try {
      return new String(k.getPublicKey());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
