# incopy.sh -- sourced by the checks that run a vendor's CLI in the bundle's folder (it may write there):
# sets repo and work (a temporary folder, removed on exit) and moves into work/bundle, a copy of $1's folder.
# shellcheck shell=bash
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/check-$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$(dirname "$1")" "$work/bundle"
cd "$work/bundle"
