package io.trynow.platform.docker;

/**
 * The engine refused the request and will refuse it again (bad spec, missing image, a name held by
 * a container that is not ours): retrying does not help.
 */
public class DockerRejectedException extends RuntimeException {

  public DockerRejectedException(String message, Throwable cause) {
    super(message, cause);
  }

  public DockerRejectedException(String message) {
    super(message);
  }
}
