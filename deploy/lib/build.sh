# Sourced by ./trynow and bench/run.sh (bash): what both need to know about the build. One place, so
# that the services' build skip, the bench's build skip, the images and the local stack agree.

# source_stamp PATH... — what a build from PATH (files or directories, relative to the current
# directory) is made from: the JDK, and every src/main file, pom and Maven wrapper setting under them
# (path, size, modification time), as one short hash. ./trynow (the services, PATH .) and
# bench/run.sh (the bench module and what it needs) run Maven only when it changed since their last
# build: Maven rewrites quarkus-app on every package, which costs the AOT caches.
source_stamp() {
  {
    echo "$JAVA_HOME"
    find "$@" \( -name .git -o -name .trynow -o -name target -o -name node_modules \) -prune -o \
      -type f \( -path '*/src/main/*' -o -name pom.xml -o -path '*.mvn/*' \) -printf '%p %s %T@\n' \
      2>/dev/null || true # (a PATH that does not exist adds nothing)
  } | sort | sha256sum | cut -c1-16
}

# service_extra_jvm_opts DIR MODULE — MODULE's own JVM options (one line, maybe empty) from
# DIR/deploy/jvm-options.properties: the one place they are written. ./trynow up runs the service
# with them (after its common options) and deploy/docker/build-images.sh bakes them into the image
# (Dockerfile.jvm's JVM_OPTS); docker-compose.yml repeats them (it cannot read a file), and
# ComposeFileTest checks that it does.
service_extra_jvm_opts() {
  sed -n "s/^$2=//p" "$1/deploy/jvm-options.properties"
}
