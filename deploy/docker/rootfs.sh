# Sourced by local-jre-base.sh and local-server-images.sh: helpers that lay out a FROM-scratch root
# filesystem from this machine's files. Not for production images.

# copy_libs ROOT FILE... — copies every shared library FILE links against (ldd) into ROOT at the same
# absolute path, so that FILE runs in an image made of ROOT alone.
copy_libs() {
  local root="$1" lib
  shift
  { for f in "$@"; do ldd "$f"; done; } 2>/dev/null \
    | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
      case "$lib" in "$root"*) continue ;; esac
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
}

# static_busybox — prints the path of a statically linked busybox (Debian: busybox-static).
static_busybox() {
  local candidate
  for candidate in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  echo "a static busybox is needed (apt-get install busybox-static)" >&2
  return 1
}
