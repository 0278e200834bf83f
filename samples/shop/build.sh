#!/usr/bin/env bash
# Builds the sample demo image trynow/sample-shop:1 from local files: no registry needed.
# Needs `./mvnw package` to have built samples/shop (target/shop.jar, target/lib/); the JRE base is
# made from this machine's JDK by deploy/docker/local-jre-base.sh (reused when it exists).
# Used by ./trynow up and by the test harness (ShopImage). Idempotent; layer cache makes repeats cheap.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
image="${1:-trynow/sample-shop:1}"
jdk="${JAVA_HOME:-}"
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/jlink" ]; then
  jdk="$(ls -d /usr/lib/jvm/temurin-25-jdk-* 2>/dev/null | head -1 || true)"
fi
[ -n "$jdk" ] && [ -x "$jdk/bin/jlink" ] || { echo "a JDK with jlink is needed (JAVA_HOME)" >&2; exit 1; }
jar="$here/target/shop.jar"
[ -f "$jar" ] && [ -d "$here/target/lib" ] \
  || { echo "$jar is missing: run ./mvnw -B package -pl samples/shop first" >&2; exit 1; }
base="$(bash "$root/deploy/docker/local-jre-base.sh" "$jdk")"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/app/lib" "$ctx/app/native"
cp "$here/Dockerfile" "$ctx/"
cp "$jar" "$ctx/app/shop.jar"
cp "$here"/target/lib/*.jar "$ctx/app/lib/"
sqlite="$(ls "$ctx"/app/lib/sqlite-jdbc-*.jar | head -1)"
(cd "$ctx" && "$jdk/bin/jar" xf "$sqlite" org/sqlite/native/Linux/x86_64/libsqlitejdbc.so)
mv "$ctx/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so" "$ctx/app/native/"
rm -rf "$ctx/org"
docker build -q --build-arg BASE_IMAGE="$base" -t "$image" "$ctx" >/dev/null
echo "$image"
