#!/usr/bin/env bash
# flex-test.sh -- builds the Flex policy's generated connector.rs on the host with its tests, offline
# on Debian's crates (a private CARGO_HOME whose crates.io is /usr/share/cargo/registry).
# Usage: flex-test.sh CONNECTOR_RS WORKDIR DUMP_JSON; prints cargo's test output.
set -eu
src=$(realpath "$1"); mkdir -p "$2"; work=$(realpath "$2"); dump=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/crate/src" "$work/crate/tests" "$work/cargo-home"
. "$here/cargo-home.sh"
cargo_home "$work/cargo-home"
put() { cmp -s "$1" "$2" || cp "$1" "$2"; }   # unchanged files keep their times: cargo rebuilds less
put "$here/flex-crate/Cargo.toml" "$work/crate/Cargo.toml"
put "$here/flex-crate/tests/logic.rs" "$work/crate/tests/logic.rs"
put "$src" "$work/crate/src/connector.rs"
cd "$work/crate"
CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/target" FLEX_SETTINGS_DUMP="$dump" \
  cargo test --offline --quiet -- --test-threads=1 2>&1
