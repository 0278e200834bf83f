package io.trynow.platform.docker;

/** A container holds our deterministic name but does not carry our ownership labels. */
public class ForeignContainerException extends DockerRejectedException {

  public ForeignContainerException(String name, String why) {
    super("container " + name + " exists but is not ours (" + why + "); not touching it");
  }
}
