#!/usr/bin/env bash
# deps.sh -- install what building and testing need on Debian 12, once.
# Idempotent: it only calls apt-get or npm when something is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, one per line in scripts/debian-packages.txt (# comments allowed).
mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/debian-packages.txt)
missing=()
for p in "${pkgs[@]}"; do
  p=$(echo "$p" | tr -d '[:space:]')
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages from the committed lockfile; re-run npm ci only when the lockfile changed.
if [ -f package-lock.json ]; then
  exec 9<package-lock.json; flock 9    # one npm ci at a time when several builds share a checkout
  stamp=node_modules/.deps-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$stamp"
  fi
fi
