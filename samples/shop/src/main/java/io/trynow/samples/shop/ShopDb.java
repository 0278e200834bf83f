package io.trynow.samples.shop;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * The shop's own database (SQLite, one file): its public domain and the claims it has applied.
 * Table names carry a configurable prefix (never SQL built from an unvalidated prefix). The prefix
 * is checked against {@link #PREFIX} before any SQL is built — it is the only thing ever put into
 * SQL text, as an identifier; every value is a bound parameter.
 */
final class ShopDb implements AutoCloseable {

  /** What a table prefix may be (checked here and by trynow when it loads the template). */
  static final Pattern PREFIX = Pattern.compile("^[a-z][a-z0-9_]{0,15}$");

  /** What the shop believes about itself. */
  record State(String domain, String baseUrl, String shopName, long claimsApplied) {}

  private final Connection c;
  private final String urlTable;
  private final String claimsTable;

  ShopDb(Path file, String prefix) throws SQLException {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "table prefix must match " + PREFIX.pattern() + " (got a value that does not)");
    }
    this.urlTable = prefix + "shop_url";
    this.claimsTable = prefix + "claims";
    this.c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.executeUpdate(
          "CREATE TABLE IF NOT EXISTS "
              + urlTable
              + " (id INTEGER PRIMARY KEY CHECK (id = 1), domain TEXT, base_url TEXT,"
              + " shop_name TEXT)");
      s.executeUpdate(
          "CREATE TABLE IF NOT EXISTS "
              + claimsTable
              + " (claim_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
      s.executeUpdate("INSERT OR IGNORE INTO " + urlTable + " (id) VALUES (1)");
    }
  }

  /**
   * Applies a claim once: the first call with a claim id sets the domain (and shop name), a repeat
   * changes nothing. Returns whether this call applied it.
   */
  synchronized boolean applyClaim(String claimId, String domain, String baseUrl, String shopName)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      int inserted;
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT OR IGNORE INTO " + claimsTable + " (claim_id, applied_at) VALUES (?, ?)")) {
        ins.setString(1, claimId);
        ins.setLong(2, System.currentTimeMillis());
        inserted = ins.executeUpdate();
      }
      if (inserted == 1) {
        try (PreparedStatement up =
            c.prepareStatement(
                "UPDATE "
                    + urlTable
                    + " SET domain = ?, base_url = ?, shop_name = ? WHERE id = 1")) {
          up.setString(1, domain);
          up.setString(2, baseUrl);
          up.setString(3, shopName);
          up.executeUpdate();
        }
      }
      c.commit();
      return inserted == 1;
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * Runs the claim's statements once in a transaction that is rolled back: loads the driver's
   * classes and prepares SQLite before the first real claim (nothing is written).
   */
  synchronized void warmUp() throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ins =
            c.prepareStatement(
                "INSERT OR IGNORE INTO " + claimsTable + " (claim_id, applied_at) VALUES (?, ?)");
        PreparedStatement up =
            c.prepareStatement(
                "UPDATE "
                    + urlTable
                    + " SET domain = ?, base_url = ?, shop_name = ? WHERE id = 1")) {
      ins.setString(1, "warm-up");
      ins.setLong(2, 0);
      ins.executeUpdate();
      up.setString(1, null);
      up.setString(2, null);
      up.setString(3, null);
      up.executeUpdate();
    } finally {
      c.rollback();
      c.setAutoCommit(true);
    }
    state();
  }

  synchronized State state() throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT domain, base_url, shop_name, (SELECT COUNT(*) FROM "
                    + claimsTable
                    + ") FROM "
                    + urlTable
                    + " WHERE id = 1")) {
      r.next();
      return new State(r.getString(1), r.getString(2), r.getString(3), r.getLong(4));
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    c.close();
  }
}
