package io.trynow.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trynow.gateway.outcome.Refusal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The extend body is optional (an empty POST extends by one step), so it is read by hand with the
 * same strictness as the bound bodies: JSON only, no unknown fields, no trailing garbage.
 */
final class ExtendBodies {

  private static final ObjectMapper STRICT =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private ExtendBodies() {}

  static ExtendBody parse(String contentType, byte[] raw) {
    if (raw == null || raw.length == 0 || new String(raw).isBlank()) {
      return new ExtendBody(null);
    }
    String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    if (!ct.startsWith("application/json")) {
      throw Refusal.of(
          Refusal.Reason.UNSUPPORTED_MEDIA_TYPE, "unsupported content type: send application/json");
    }
    try {
      ExtendBody b = STRICT.readValue(raw, ExtendBody.class);
      if (b == null) {
        throw Refusal.badRequest("the body must be a JSON object");
      }
      return b;
    } catch (JsonProcessingException e) {
      throw new JsonBodyException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Carries a parse failure to {@link ErrorMappers#json}. */
  static final class JsonBodyException extends RuntimeException {
    JsonBodyException(JsonProcessingException cause) {
      super(cause.getOriginalMessage(), cause, false, false);
    }
  }
}
