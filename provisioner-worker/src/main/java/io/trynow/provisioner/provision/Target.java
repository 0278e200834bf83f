package io.trynow.provisioner.provision;

import io.trynow.platform.docker.ContainerSpec;
import io.trynow.platform.docker.Containers;

/** Where one instance's container goes: its Docker host, that host's engine, and the spec. */
record Target(String host, Containers containers, ContainerSpec spec) {}
