#!/usr/bin/env bash
# One entry point for newcomers and CI.
#
#   tools/dev.sh setup   install Debian packages (idempotent) and build
#   tools/dev.sh demo    setup, then bring up the example lab, show it working, tear it down
#   tools/dev.sh test    setup, then run the whole test suite through CTest
#   tools/dev.sh bench   setup, then run the benchmark (see docs/PERFORMANCE.md)
#   tools/dev.sh stress  setup, then the stress tests (label `stress`, left out of `test`)
#   tools/dev.sh fuzz [SECONDS]  build the libFuzzer target with clang and run it (default 60 s)
#   tools/dev.sh check   hygiene (docs/TRUST.md): unit + integration tests under
#                        ASan/UBSan, clang-tidy, clang-format, a 60 s fuzz run
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
  iproute2 iptables nftables iputils-ping procps python3
  graphviz libpcap-dev
)

# Only for `test`, `check` (which runs the integration tests too) and `setup`: FRR's routing
# daemons, which the example lab topologies/frr-ring.yaml starts inside its
# nodes (installing it must not start it on the host, see install_packages),
# and ansible-core, whose ansible-playbook runs tools/ansible/lab.yml against
# simulated machines (tests/integration/machines_ansible_test.cc).
TEST_PACKAGES=(frr ansible-core)

# Only for `fuzz` and `check`: the compiler, its sanitizer runtimes and the linters.
HYGIENE_PACKAGES=(clang-14 libclang-rt-14-dev clang-tidy-14 clang-format-14 clang-tools-14)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=() wanted=("${PACKAGES[@]}" "$@")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "==> installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  without_service_start as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# without_service_start CMD...: runs CMD with invoke-rc.d / deb-systemd-invoke
# told to start no service (exit 101 from /usr/sbin/policy-rc.d), so that
# installing a daemon such as frr does not start it on the host: topo's labs
# start their own copies inside their nodes. The policy file is written only
# when none exists (a container may ship one) and removed afterwards, also when
# CMD fails.
POLICY_RC=/usr/sbin/policy-rc.d
without_service_start() {
  if as_root test -e "$POLICY_RC"; then
    "$@"
    return
  fi
  as_root sh -c "printf '#!/bin/sh\n# written by topo tools/dev.sh during apt-get install\nexit 101\n' >'$POLICY_RC' && chmod 0755 '$POLICY_RC'"
  trap 'as_root rm -f "$POLICY_RC"; exit 130' INT TERM HUP
  local rc=0
  "$@" || rc=$?
  as_root rm -f "$POLICY_RC"
  trap - INT TERM HUP
  return "$rc"
}

# build [TARGET...]: configure, then build the given targets (all without any).
build() {
  echo "==> building ${*:-everything} in $BUILD ($BUILD_TYPE)"
  local werror=OFF
  if [ "${CI:-}" = true ]; then werror=ON; fi
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DTOPO_WERROR="$werror" >/dev/null
  local targets=()
  if [ "$#" -gt 0 ]; then targets=(--target "$@"); fi
  cmake --build "$BUILD" -j "$(nproc)" "${targets[@]}"
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
  # The stress label is long by design: `tools/dev.sh stress` runs it.
  ctest --output-on-failure -j "$(nproc)" -LE stress "$@"
}

stress() {
  cd "$BUILD"
  ctest --output-on-failure -L stress "$@"
}

# Builds topo_fuzz with clang (ASan + UBSan + libFuzzer) in $FUZZ_BUILD and runs
# it for $1 seconds over the checked-in corpus and the seeds. New coverage goes
# to a scratch corpus in the build directory; TOPO_FUZZ_MERGE=1 folds it into
# tests/fuzz/corpus. A crash leaves crash-* in $FUZZ_BUILD: add it to
# tests/fuzz/regressions/ with the fix.
FUZZ_BUILD="${TOPO_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
fuzz() {
  local seconds="${1:-60}"
  echo "==> building the fuzz target in $FUZZ_BUILD (clang, ASan, UBSan, libFuzzer)"
  cmake -S "$ROOT" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DTOPO_FUZZ=ON -DTOPO_WERROR=ON >/dev/null
  cmake --build "$FUZZ_BUILD" --target topo_fuzz -j "$(nproc)"
  mkdir -p "$FUZZ_BUILD/corpus"
  echo "==> fuzzing for $seconds s"
  local log="$FUZZ_BUILD/fuzz.log" rc=0
  (cd "$FUZZ_BUILD" && ./topo_fuzz -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 corpus "$ROOT/tests/fuzz/corpus" "$ROOT/topologies" \
    "$ROOT/tests/invalid") >"$log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$log"
    echo "==> the fuzzer failed (exit $rc): see $log and $FUZZ_BUILD/crash-*" >&2
    return "$rc"
  fi
  if [ "${TOPO_FUZZ_MERGE:-0}" = 1 ]; then
    "$FUZZ_BUILD/topo_fuzz" -merge=1 -max_len=8192 "$ROOT/tests/fuzz/corpus" "$FUZZ_BUILD/corpus" >/dev/null 2>&1
    echo "==> merged new coverage into tests/fuzz/corpus"
  fi
}

# Sanitizer build (its own directory), then the unit and integration tests
# under it with every report fatal; clang-tidy over src/; clang-format over
# src/ tests/ tools/; a 60 s fuzz run.
SAN_BUILD="${TOPO_SAN_BUILD_DIR:-$ROOT/build-asan}"
check() {
  echo "==> sanitizer build in $SAN_BUILD (address,undefined)"
  # -O1 -g1: line tables are all a sanitizer's report needs, and the build takes
  # half the time of -O2 -g (CI has 90 minutes on 2 cores for all of .ci/run).
  cmake -S "$ROOT" -B "$SAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOPO_SANITIZE=address,undefined \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DTOPO_WERROR=ON >/dev/null
  cmake --build "$SAN_BUILD" --target topo topo_unit_tests topo_integration_tests -j "$(nproc)"
  # (Not the install tests: a consumer built without -fsanitize cannot link
  # the sanitized libtopo.a.)
  echo "==> unit and integration tests under ASan + UBSan"
  (cd "$SAN_BUILD" &&
    ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --output-on-failure -j "$(nproc)" -L 'unit|integration' -E '^install\.')
  echo "==> clang-tidy (.clang-tidy) over src/"
  run-clang-tidy-14 -p "$BUILD" -quiet "$ROOT/src/.*\.cc\$" >"$BUILD/clang-tidy.log" 2>&1 || {
    grep -E 'warning:|error:' "$BUILD/clang-tidy.log" | sort -u
    echo "==> clang-tidy found problems (full log: $BUILD/clang-tidy.log)" >&2
    return 1
  }
  echo "==> clang-format --dry-run --Werror over src/ tests/ tools/"
  (cd "$ROOT" && git ls-files -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'tools/*.cc' 'tools/*.h' |
    xargs clang-format-14 --dry-run --Werror)
  fuzz 60
  echo "==> check passed"
}

cmd="${1:-setup}"
shift || true
case "$cmd" in
  setup) install_packages "${TEST_PACKAGES[@]}"; build ;;
  demo)  install_packages; build topo; demo ;;  # only what the demo runs
  test)  install_packages "${TEST_PACKAGES[@]}"; build; run_tests "$@" ;;
  bench) install_packages; build; "$BUILD/topo-bench" "$@" ;;
  stress) install_packages; build; stress "$@" ;;
  fuzz)  install_packages "${HYGIENE_PACKAGES[@]}"; fuzz "$@" ;;
  check) install_packages "${TEST_PACKAGES[@]}" "${HYGIENE_PACKAGES[@]}"; build; check ;;
  *) echo "usage: $0 {setup|demo|test|bench|stress|fuzz [seconds]|check}" >&2; exit 2 ;;
esac
