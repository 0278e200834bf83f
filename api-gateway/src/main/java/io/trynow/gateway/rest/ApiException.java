package io.trynow.gateway.rest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An expected failure with its HTTP status, error code and message; turned into {@link ApiError} by
 * {@link ErrorMappers}. The message is shown to the client: never put internals in it.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiException(int status, String error, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
  }

  public ApiException header(String name, Object value) {
    headers.put(name, String.valueOf(value));
    return this;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  public static ApiException badId(String what) {
    return new ApiException(400, "invalid_id", "malformed " + what);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message).header("WWW-Authenticate", "Bearer");
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  public static ApiException conflict(String error, String message) {
    return new ApiException(409, error, message);
  }

  public static ApiException unavailable(String message, long retryAfterSeconds) {
    return new ApiException(503, "unavailable", message).header("Retry-After", retryAfterSeconds);
  }
}
