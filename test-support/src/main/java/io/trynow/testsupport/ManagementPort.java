package io.trynow.testsupport;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import java.net.URI;

/**
 * The management interface of the service under {@code @QuarkusTest} (api-gateway has one: health,
 * metrics, OpenAPI, the admin API and the dashboard live there, not on the public port).
 */
public final class ManagementPort {

  private ManagementPort() {}

  /** {@code http://127.0.0.1:<management port>/}, without the {@code /q} root path. */
  public static String base() {
    return URI.create(TestHTTPResourceManager.getManagementUri()).resolve("/").toString();
  }
}
