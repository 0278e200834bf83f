package io.trynow.platform.docker;

/** A template cannot become a container spec (unpinned image, bad network mode, bad limits). */
public class InvalidTemplateException extends RuntimeException {

  public InvalidTemplateException(String message) {
    super(message);
  }
}
