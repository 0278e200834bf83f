package io.trynow.systemtests;

/** The five trynow services, each started from {@code <module>/target/quarkus-app}. */
public enum Service {
  API_GATEWAY("api-gateway"),
  POOL_SERVICE("pool-service"),
  PROVISIONER_WORKER("provisioner-worker"),
  PROXY_SYNC("proxy-sync"),
  CLEANUP_WORKER("cleanup-worker");

  private final String module;

  Service(String module) {
    this.module = module;
  }

  /** Maven module, also the log file name. */
  public String module() {
    return module;
  }
}
