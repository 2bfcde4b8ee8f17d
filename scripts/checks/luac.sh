#!/usr/bin/env bash
# luac.sh FILE -- release check "luac": compiles as Lua 5.1 (luac5.1 -p)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
luac5.1 -p "$1"
