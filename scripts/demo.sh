#!/usr/bin/env bash
# The main job: sets up (scripts/setup.sh), then runs the live lab
# (demo/failover.ts): vrrpd routers in network namespaces serving a VIP to an
# HTTP client, the master crashed and brought back, the failover measured.
# Flags go to the demo: bash scripts/demo.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx --conditions=source demo/failover.ts "$@"
