#!/bin/bash
# What loading N filter rules into a network namespace costs per call, with
# iptables-restore (what topo runs) and with nft -f (libnftables, which an
# in-process implementation would call without the exec): the measurement
# behind keeping iptables-restore (docs/PERFORMANCE.md, "Firewall rules").
# Run as root: it re-runs itself in a fresh, anonymous network namespace
# (unshare -n), which goes with it; nothing outside is touched.
if [ -z "${FW_BENCH_INSIDE:-}" ]; then FW_BENCH_INSIDE=1 exec unshare -n "$0" "$@"; fi
set -e
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gen_ipt() { echo "*filter"; for i in $(seq 1 $1); do echo "$2 FORWARD -s 10.0.$((i%250)).0/24 -d 10.1.0.10/32 -p tcp -m tcp --dport $((1000+i)) -m comment --comment topo:bench -j ACCEPT"; done; echo COMMIT; }
gen_nft() { printf 'table ip filter {\n chain FORWARD {\n type filter hook forward priority 0; policy accept;\n'; for i in $(seq 1 $1); do echo "ip saddr 10.0.$((i%250)).0/24 ip daddr 10.1.0.10 tcp dport $((1000+i)) accept comment \"topo:bench\""; done; printf '}\n}\n'; }
R=20
ms() { echo "scale=2; $1/$R/1000000" | bc; }
for n in 1 10 100; do
  gen_ipt $n -A > "$tmp"/fwb-a.$n; gen_ipt $n -D > "$tmp"/fwb-d.$n; gen_nft $n > "$tmp"/fwb-n.$n
  ta=0; td=0; tn=0; tf=0
  for r in $(seq $R); do
    s=$(date +%s%N); iptables-restore --noflush -w < "$tmp"/fwb-a.$n; e=$(date +%s%N); ta=$((ta+e-s))
    s=$(date +%s%N); iptables-restore --noflush -w < "$tmp"/fwb-d.$n; e=$(date +%s%N); td=$((td+e-s))
  done
  iptables -F; iptables -X; nft delete table ip filter 2>/dev/null
  for r in $(seq $R); do
    s=$(date +%s%N); nft -f "$tmp"/fwb-n.$n; e=$(date +%s%N); tn=$((tn+e-s))
    s=$(date +%s%N); nft delete table ip filter; e=$(date +%s%N); tf=$((tf+e-s))
  done
  echo "n=$n iptables-restore add=$(ms $ta) del=$(ms $td) | nft -f add=$(ms $tn) nft delete table=$(ms $tf) (ms per call)"
done
t=0; for r in $(seq $R); do s=$(date +%s%N); nft --version >/dev/null; e=$(date +%s%N); t=$((t+e-s)); done; echo "exec of nft --version: $(ms $t)"
t=0; for r in $(seq $R); do s=$(date +%s%N); /bin/true; e=$(date +%s%N); t=$((t+e-s)); done; echo "exec of /bin/true: $(ms $t)"
