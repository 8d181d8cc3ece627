#!/usr/bin/env bash
# Builds sellerbridge (release) and runs `sellerbridge demo` with any arguments
# given, e.g. `scripts/demo.sh --duration 60 --json`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target sellerbridge
exec build/release/src/main/sellerbridge demo "$@"
