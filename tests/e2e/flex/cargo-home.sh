# cargo-home.sh -- sourced by flex-test.sh and flex-glue.sh: cargo_home DIR makes DIR a CARGO_HOME
# whose crates.io is Debian's crate directory, offline (crates.io is not reachable here).
cargo_home() {
  mkdir -p "$1"
  cat >"$1/config.toml" <<'CFG'
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
CFG
}
