#!/usr/bin/env bash
# Builds a stand-in for the Temurin JRE base image from the JDK on this machine, for hosts that
# cannot reach a registry (CI sandboxes, air-gapped boxes). Not for production: the real base is the
# pinned eclipse-temurin image in Dockerfile.jvm.
#
#   deploy/docker/local-jre-base.sh [JAVA_HOME]    # prints the image name, e.g. trynow/local-jre:25.0.3-9
#
# The image is FROM scratch: a jlink'ed JRE in /opt/java/openjdk (the path Temurin images use), the
# glibc libraries it and bash need, bash itself (for the HEALTHCHECK), and a world-writable /tmp.
# Idempotent: an existing image with the same tag is reused.
set -euo pipefail
jdk="${1:-${JAVA_HOME:-}}"
[ -n "$jdk" ] && [ -x "$jdk/bin/jlink" ] || { echo "usage: $0 JAVA_HOME (a JDK with jlink)" >&2; exit 2; }
version="$(. "$jdk/release" && echo "${JAVA_RUNTIME_VERSION%-LTS}" | tr '+' '-')"
image="trynow/local-jre:$version"
if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/root"
mkdir -p "$root/opt/java" "$root/bin" "$root/tmp"
chmod 1777 "$root/tmp"
"$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.net,jdk.jfr \
  --strip-debug --no-man-pages --no-header-files --output "$root/opt/java/openjdk"
cp "$(command -v bash)" "$root/bin/bash"
ln -s bash "$root/bin/sh"
# Every shared library the JRE and bash link against, at the same absolute path.
# shellcheck source=rootfs.sh
. "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"
mapfile -t libs < <(find "$root/opt/java/openjdk" -name '*.so')
copy_libs "$root" "$root/bin/bash" "$root/opt/java/openjdk/bin/java" "${libs[@]}"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/bin
DOCKERFILE
docker build -q -t "$image" "$ctx" >/dev/null
echo "$image"
