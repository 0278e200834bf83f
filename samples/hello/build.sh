#!/usr/bin/env bash
# Builds the sample demo image trynow/sample-hello:1 from local files: no registry needed.
# Used by ./trynow up and by the test harness (SampleImage). Idempotent; layer cache makes repeats cheap.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="${1:-trynow/sample-hello:1}"
busybox="$(command -v busybox || true)"
for candidate in /bin/busybox /usr/bin/busybox "$busybox"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
    busybox="$candidate"; break
  fi
done
if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "a static busybox is needed (apt-get install busybox-static)" >&2
  exit 1
fi
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$ctx/"
cp -r "$here/www" "$ctx/www"
cp "$busybox" "$ctx/busybox"
docker build -q -t "$image" "$ctx" >/dev/null
echo "$image"
