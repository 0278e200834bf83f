package io.trynow.platform.docker;

/** The template's image is not on the engine. trynow never pulls: an operator must provide it. */
public class ImageMissingException extends DockerRejectedException {

  private final String image;

  public ImageMissingException(String image, Throwable cause) {
    super("image " + image + " is not present on the Docker engine (trynow never pulls)", cause);
    this.image = image;
  }

  public String image() {
    return image;
  }
}
