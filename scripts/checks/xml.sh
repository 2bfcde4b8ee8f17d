#!/usr/bin/env bash
# xml.sh FILE -- release check "xml": well-formed XML (xmllint)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
xmllint --noout "$1"
