#!/usr/bin/env bash
# Installs the Debian 12 packages sellerbridge needs to build, test and run,
# and only those that are missing. Idempotent; run as root.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git python3
  clang-format clang-tidy
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libcpp-httplib-dev libcurl4-openssl-dev libpugixml-dev
  libhowardhinnant-date-dev tzdata zlib1g-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: these packages are missing and installing them needs root: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
