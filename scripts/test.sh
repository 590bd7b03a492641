#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test: the type check, the unit
# tests beside each lib and tool, and the labs in test/ that need root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm run --silent typecheck
echo "typecheck: ok"
exec node scripts/runTests.mjs "$@"
