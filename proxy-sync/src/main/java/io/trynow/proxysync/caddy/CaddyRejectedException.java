package io.trynow.proxysync.caddy;

/** Caddy answered but refused the request (bad config, bad path): retrying the same is useless. */
public class CaddyRejectedException extends RuntimeException {

  private final int status;

  public CaddyRejectedException(String what, int status, String body) {
    super(what + " answered HTTP " + status + ": " + abbreviate(body));
    this.status = status;
  }

  public int status() {
    return status;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "…";
  }
}
