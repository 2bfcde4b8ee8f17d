#!/usr/bin/env bash
# flex-glue.sh -- type-checks a generated Flex policy (src/lib.rs with src/connector.rs and the Config
# that gcl.yaml implies) against the PDK stand-in in pdk-stub/, offline on Debian's crates.
# Usage: flex-glue.sh BUNDLE_ROOT WORKDIR (BUNDLE_ROOT holds Cargo.toml, src/, definition/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(realpath "$1"); mkdir -p "$2"; work=$(realpath "$2")
crate=$work/glue
mkdir -p "$crate/src/generated" "$work/cargo-home"
. "$here/cargo-home.sh"
cargo_home "$work/cargo-home"
cat >"$crate/Cargo.toml" <<TOML
[package]
name = "edge_connector_glue"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
path = "src/lib.rs"

[dependencies]
pdk = { path = "$here/pdk-stub" }
anyhow = { path = "$here/anyhow-stub" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
getrandom = "0.2"
TOML
put() { cmp -s "$1" "$2" || cp "$1" "$2"; }
sed -e '/^#\[entrypoint\]$/d' -e 's/^async fn configure(/pub async fn configure(/' "$src/src/lib.rs" >"$work/lib.rs.new"; put "$work/lib.rs.new" "$crate/src/lib.rs"
put "$src/src/connector.rs" "$crate/src/connector.rs"
put "$src/src/generated/mod.rs" "$crate/src/generated/mod.rs"
python3 "$here/gcl_config.py" "$src/definition/gcl.yaml" >"$work/config.rs.new"
put "$work/config.rs.new" "$crate/src/generated/config.rs"
cd "$crate"
CARGO_HOME="$work/cargo-home" CARGO_TARGET_DIR="$work/target" cargo check --offline --quiet 2>&1
