#!/usr/bin/env bash
# The scaling figure of docs/PERFORMANCE.md (issue #17): topo-bench runs star, chain, tree and
# clos at 1000, 2000, 5000 and 10000 nodes (topo only, one run each: the baselines take minutes at
# these sizes), `checks N` at the same sizes, and kernel-star (the kernel calls alone) for star;
# then gnuplot draws docs/scaling.svg from the JSON.
#
#   tools/bench/scaling.sh [BUILD_DIR] [OUT_DIR]      (root; gnuplot-nox for the figure)
#
# BUILD_DIR (default build/) holds topo, topo-bench and kernel-star; OUT_DIR (default docs/)
# gets scaling.json, scaling.dat and scaling.svg. Takes about half an hour on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
out="$(cd "${2:-$root/docs}" && pwd)"
read -r -a sizes <<<"${TOPO_SCALING_SIZES:-1000 2000 5000 10000}"  # for a quick try: "10 20"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# clos N is N leaves, N hosts and 2 spines: clos (N/2 - 1) has about N nodes.
clos=()
for n in "${sizes[@]}"; do clos+=($((n / 2 - 1))); done
"$build/topo-bench" star "${sizes[@]}" chain "${sizes[@]}" tree "${sizes[@]}" clos "${clos[@]}" \
  checks "${sizes[@]}" --runs 1 --no-script --no-batch --no-mininet --json "$out/scaling.json" |
  tee "$work/table.md"

# Until the kernel's background work is over (at most $1 s): under 5% of the CPUs' time in the
# kernel for two one-second windows in a row, as topo-bench's WaitForKernel.
wait_for_kernel() {
  local quiet=0 left=$1 k0 t0 k t
  read -r k0 t0 < <(awk '/^cpu /{print $4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  while [ "$quiet" -lt 2 ] && [ "$left" -gt 0 ]; do
    sleep 1
    left=$((left - 1))
    read -r k t < <(awk '/^cpu /{print $4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    if [ "$t" -gt "$t0" ] && [ $(((k - k0) * 20)) -lt $((t - t0)) ]; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    k0=$k t0=$t
  done
}

# kernel-star: the same star's kernel calls from C, no topo (tools/bench/kernel_star.c).
: >"$work/kernel.txt"
for n in "${sizes[@]}"; do
  wait_for_kernel 60
  "$build/kernel-star" "$n" "ks$$-" >>"$work/kernel.txt"
done

python3 - "$out/scaling.json" "$work/kernel.txt" >"$out/scaling.dat" <<'PY'
import json, re, sys
rows = json.load(open(sys.argv[1]))["labs"]
med = lambda v: sorted(v)[len(v) // 2] / 1000.0 if v else float("nan")
print("# shape n up_s down_s status_s checks_s rss_mib status_settled_s")
for r in rows:
    shape, n = r["lab"].split()
    if shape == "clos":  # leaves -> nodes
        n = 2 * int(n) + 2
    print(shape, n, med(r["up"]), med(r["down"]), med(r.get("status", [])),
          med(r.get("checks", [])), r["rss_kib"] / 1024.0, med(r.get("status_settled", [])))
for line in open(sys.argv[2]):  # "N=1000 names=... up=U down=D dump=S" (seconds)
    m = re.match(r"N=(\d+) .*up=([\d.]+) down=([\d.]+) dump=([\d.]+)", line)
    if m:  # status_s: the router's link dump, the kernel's share of `topo status`
        print("kernel", m[1], m[2], m[3], m[4], "nan nan nan")
PY

gnuplot <<GP
set terminal svg size 900,420 font "sans,12" background "white"
set output "$out/scaling.svg"
set multiplot layout 1,2 title "topo at scale (one run each, $(nproc) CPUs, kernel $(uname -r))"
set logscale xy
set xlabel "nodes"
set key top left
set grid
set format x "%.0f"
set xrange [800:12000]
dat = "$out/scaling.dat"
sel(s) = sprintf("< awk '\$1 == \"%s\"' %s", s, dat)
set ylabel "seconds"
set title "up"
plot for [s in "star chain tree clos kernel"] sel(s) using 2:3 with linespoints title s, \
     x/1000.0 * 1.0 with lines dt 2 lc "gray" title "linear"
set title "down, status, N checks"
plot for [s in "star chain tree clos kernel"] sel(s) using 2:4 with linespoints title s." down", \
     sel("star") using 2:5 with linespoints title "star status (right after up)", \
     sel("star") using 2:8 with linespoints title "star status (settled)", \
     sel("kernel") using 2:5 with linespoints title "kernel link dump", \
     sel("checks") using 2:6 with linespoints title "N checks", \
     x/1000.0 * 0.2 with lines dt 2 lc "gray" title "linear"
unset multiplot
GP
echo "wrote $out/scaling.json, $out/scaling.dat, $out/scaling.svg" >&2
