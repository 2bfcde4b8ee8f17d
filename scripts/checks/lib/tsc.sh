#!/usr/bin/env bash
# tsc.sh TYPES FILE -- TypeScript (checkJs, noEmit, strict off) on FILE and the modules it imports from its
# folder, with the type packages TYPES (a JSON array), in a folder below the repository so that tsc finds
# node_modules. Used by ../tsc-*.sh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
file=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
mkdir -p "$repo/build"
work=$(mktemp -d "$repo/build/check-tsc.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Its sibling scripts come along so that "./config.js" resolves; tsc checks what FILE imports of them.
cp "$(dirname "$file")"/*.js "$work/"
cat >"$work/tsconfig.json" <<JSON
{ "compilerOptions": { "allowJs": true, "checkJs": true, "noEmit": true, "strict": false, "module": "ESNext",
    "moduleResolution": "bundler", "target": "ES2022", "skipLibCheck": true, "types": $1, "lib": ["ES2022"] },
  "files": ["$(basename "$file")"] }
JSON
cd "$work" && "$repo/node_modules/.bin/tsc" -p tsconfig.json
