#!/usr/bin/env bash
# The main job: sets up (scripts/setup.sh) and runs the live lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx --conditions=source demo/keepalivedWatch.ts "$@"
