#!/usr/bin/env bash
# Builds stand-ins for the pinned NATS, Valkey and Caddy images of docker-compose.yml from this
# machine's Debian packages, for hosts that cannot reach a registry (CI sandboxes, air-gapped boxes).
# Not for production: the real images are the pinned ones in docker-compose.yml.
#
#   deploy/docker/local-server-images.sh     # prints three lines: nats=IMAGE valkey=IMAGE caddy=IMAGE
#
# Each image is FROM scratch: the server binary with the libraries it links against, and a static
# busybox for the `wget` of the healthchecks. They keep the commands of the pinned images:
#   trynow/local-nats:<v>    nats-server (Debian nats-server) in /usr/local/bin
#   trynow/local-valkey:<v>  valkey-server / valkey-cli = Debian's redis-server / redis-cli 7.0
#                            (Valkey is a fork of Redis 7.2 and speaks the same protocol; Valkey is
#                            not packaged for Debian 12), working directory /data
#   trynow/local-caddy:<v>   caddy (Debian caddy) in /usr/bin, XDG_CONFIG_HOME=/config and
#                            XDG_DATA_HOME=/data as in the official image
# Idempotent: an existing image with the same tag is reused. Tags follow the Debian package versions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=rootfs.sh
. "$here/rootfs.sh"

for bin in nats-server redis-server redis-cli caddy; do
  command -v "$bin" >/dev/null || {
    echo "$bin is missing (apt-get install nats-server redis-server caddy)" >&2
    exit 1
  }
done
busybox="$(static_busybox)"

tag() { dpkg-query -W -f '${Version}' "$1" | sed -E 's/^[0-9]+://; s/[^A-Za-z0-9_.-]/_/g'; }

# build IMAGE DOCKERFILE-LINES SOURCE=TARGET... — a FROM-scratch image holding each SOURCE binary at
# TARGET, the libraries they link against, and busybox with its wget applet.
build() {
  local image="$1" lines="$2"
  shift 2
  if docker image inspect "$image" >/dev/null 2>&1; then
    echo "$image"
    return
  fi
  local ctx pair sources=()
  ctx="$(mktemp -d)"
  local root="$ctx/root"
  mkdir -p "$root/bin" "$root/tmp" "$root/data" "$root/config"
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  ln -s busybox "$root/bin/wget"
  for pair in "$@"; do
    mkdir -p "$root$(dirname "${pair#*=}")"
    cp -L "${pair%%=*}" "$root${pair#*=}"
    sources+=("${pair%%=*}")
  done
  copy_libs "$root" "${sources[@]}"
  printf 'FROM scratch\nCOPY root/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n%s\n' "$lines" \
    >"$ctx/Dockerfile"
  docker build -q -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "$image"
}

nats="$(build "trynow/local-nats:$(tag nats-server)" "" \
  "$(command -v nats-server)=/usr/local/bin/nats-server")"
valkey="$(build "trynow/local-valkey:$(tag redis-server)" "WORKDIR /data" \
  "$(command -v redis-server)=/usr/local/bin/valkey-server" \
  "$(command -v redis-cli)=/usr/local/bin/valkey-cli")"
caddy="$(build "trynow/local-caddy:$(tag caddy)" "ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data" \
  "$(command -v caddy)=/usr/bin/caddy")"
echo "nats=$nats"
echo "valkey=$valkey"
echo "caddy=$caddy"
