#!/usr/bin/env bash
# Builds and runs every test: the format check, the dev build (Debug with
# AddressSanitizer, UndefinedBehaviorSanitizer and -Werror) with all unit and
# end-to-end tests in parallel, and clang-tidy on every source of that build
# (from its compile database, so nothing is compiled twice).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

bash scripts/install-deps.sh

echo "== format check (clang-format 14)"
bash scripts/check-format.sh

echo "== build (dev: ASan + UBSan, -Werror)"
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$jobs"

echo "== tests"
ctest --preset dev -j"$jobs"

echo "== clang-tidy (every unit of the dev build)"
python3 scripts/tidy.py build/dev "$jobs"
echo "== all checks passed"
