# detect-replay.sh -- builds bench/detection/replay.c with the node's detection (detect.c and every
# node module its includes name), so a new detector needs no edit here. Sourced by the detection benches.

# detect_replay_build OUT: compiles the replay tool to OUT, optimised, against ModSecurity.
detect_replay_build() {
  local pkgs="libcjson yaml-0.1 libpcre2-8 libsodium zlib" srcs=(bench/detection/replay.c node/detect.c) h c i=1
  # the modules whose headers detect.c includes, and the ones their sources include in turn
  while [ "$i" -lt "${#srcs[@]}" ]; do
    for h in $(sed -n 's/^#include "\([a-z_0-9]*\)\.h"$/\1/p' "${srcs[$i]}"); do
      for c in "node/$h.c" "common/$h.c"; do
        if [ -f "$c" ] && [[ " ${srcs[*]} " != *" $c "* ]]; then srcs+=("$c"); fi
      done
    done
    i=$((i + 1))
  done
  # shellcheck disable=SC2046
  cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror -Icommon -Inode \
     $(pkg-config --cflags $pkgs) -o "$1" "${srcs[@]}" $(pkg-config --libs $pkgs) -lmodsecurity
}
