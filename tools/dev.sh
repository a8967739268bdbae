#!/usr/bin/env bash
# One entry point for newcomers and CI.
#
#   tools/dev.sh setup   install Debian packages (idempotent) and build
#   tools/dev.sh demo    setup, then bring up the example lab, show it working, tear it down
#   tools/dev.sh test    setup, then run the whole test suite through CTest
#   tools/dev.sh bench   setup, then run the benchmark (see docs/PERFORMANCE.md)
#
# Needs root for installing packages and for anything that creates namespaces.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${TOPO_BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${TOPO_BUILD_TYPE:-RelWithDebInfo}"

# Debian 12 packages the build, the tests and the demo need.
PACKAGES=(
  build-essential cmake pkg-config
  libyaml-cpp-dev libnl-3-dev libnl-route-3-dev nlohmann-json3-dev libvalijson-dev
  libspdlog-dev libcli11-dev libgtest-dev libgmock-dev
  iproute2 iptables iputils-ping procps
  graphviz
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "==> installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  echo "==> building in $BUILD ($BUILD_TYPE)"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
}

demo() {
  local topo="$BUILD/topo" lab="$ROOT/topologies/server-router-client.yaml"
  as_root "$topo" validate "$lab"
  trap 'as_root "$topo" down server-router-client >/dev/null 2>&1 || true' EXIT
  as_root "$topo" up "$lab"
  as_root "$topo" status server-router-client
  echo "==> server -> client loopback, through the router's default route and SNAT"
  as_root "$topo" exec server -- ping -c 2 -W 1 2.2.2.2
  echo "==> client -> server loopback, through the router's static route"
  as_root "$topo" exec client -- ping -c 2 -W 1 1.1.1.1
  echo "==> the router's SNAT rule, with the packets it rewrote"
  as_root "$topo" exec router -- iptables -t nat -L POSTROUTING -n -v
  echo "==> the checks the lab declares, run against it"
  as_root "$topo" test --lab server-router-client
  as_root "$topo" down server-router-client
  trap - EXIT
}

run_tests() {
  cd "$BUILD"
  ctest --output-on-failure -j "$(nproc)" "$@"
}

cmd="${1:-setup}"
shift || true
case "$cmd" in
  setup) install_packages; build ;;
  demo)  install_packages; build; demo ;;
  test)  install_packages; build; run_tests "$@" ;;
  bench) install_packages; build; "$BUILD/topo-bench" "$@" ;;
  *) echo "usage: $0 {setup|demo|test|bench}" >&2; exit 2 ;;
esac
