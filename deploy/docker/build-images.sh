#!/usr/bin/env bash
# Builds the five service images from the aot-jars of a finished `./mvnw -B -DskipTests package`.
#
#   deploy/docker/build-images.sh                     # trynow/<service>:<version>
#   REGISTRY=ghcr.io/acme VERSION=0.1.0 deploy/docker/build-images.sh --push
#   BASE_IMAGE=trynow/local-jre:25.0.3 deploy/docker/build-images.sh   # no registry: see local-jre-base.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/build.sh
source "$root/deploy/lib/build.sh" # service_extra_jvm_opts
registry="${REGISTRY:-trynow}"
version="${VERSION:-0.1.0}"
push=0
[ "${1:-}" = "--push" ] && push=1
[ "$version" != "latest" ] || { echo "refusing to build :latest; set VERSION" >&2; exit 2; }

base_args=()
[ -n "${BASE_IMAGE:-}" ] && base_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE")

# service:port[:management port]
for entry in api-gateway:8080:9000 pool-service:8081 provisioner-worker:8082 proxy-sync:8083 cleanup-worker:8084; do
  IFS=: read -r service port management <<<"$entry"
  # the service's own JVM options, as ./trynow up runs it (deploy/jvm-options.properties)
  jvm_opts="$(service_extra_jvm_opts "$root" "$service")"
  app="$root/$service/target/quarkus-app"
  [ -f "$app/quarkus-run.jar" ] || { echo "$app/quarkus-run.jar is missing: run ./mvnw -B -DskipTests package" >&2; exit 1; }
  image="$registry/$service:$version"
  docker build -q -f "$root/deploy/docker/Dockerfile.jvm" "${base_args[@]}" \
    --build-arg "SERVICE=$service" --build-arg "PORT=$port" \
    --build-arg "MANAGEMENT_PORT=${management:-}" --build-arg "VERSION=$version" --build-arg "JVM_OPTS=$jvm_opts" \
    -t "$image" "$app" >/dev/null
  echo "$image"
  [ "$push" = 0 ] || docker push "$image"
done
