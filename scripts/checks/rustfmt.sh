#!/usr/bin/env bash
# rustfmt.sh FILE -- release check "rustfmt": parses as Rust 2021 (rustfmt)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
rustfmt --edition 2021 --emit stdout <"$1" >/dev/null
