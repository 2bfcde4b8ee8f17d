#!/usr/bin/env bash
# luacheck.sh FILE -- release check "luacheck": luacheck clean for OpenResty with Kong's global (long lines allowed: generated values)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
luacheck --no-color --std ngx_lua --globals kong --no-self --no-max-line-length "$1"
