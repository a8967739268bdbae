#!/usr/bin/env python3
"""One up/down cycle of a lab with mininet 2.3, for topo-bench (tools/bench/topo_bench.cc).

Usage: mininet_cycle.py LAB.json, as written by topo-bench: nodes with their interfaces, routes
and SNAT rules, and links. Builds the lab with Mininet's Python API -- hosts and direct links only,
no controller, no switch -- configures what topo would (addresses, forwarding, routes, SNAT),
stops it, and prints "RESULT <up ms> <down ms>": from Mininet() to the end of the configuration,
and around net.stop(). Everything lives in Mininet's own unnamed namespaces, and net.stop() ends
the hosts' shells by their own pids (this never runs `mn -c`, which kills by pattern).
"""
import json
import resource
import signal
import sys
import time

from mininet.net import Mininet

# Skip Mininet.init(): its fixLimits() raises host-wide sysctls (net.core.*, neighbour table
# sizes...), which a benchmark must not change. Only this process's own fd limit is raised.
Mininet.inited = True
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the lab

lab = json.load(open(sys.argv[1]))
ifs = {n['name']: dict(n['ifaces']) for n in lab['nodes']}
# Mininet sets a host's `ip` on its first interface (the first link that names it).
first = {}
for a, ia, b, ib in lab['links']:
    first.setdefault(a, ifs[a][ia])
    first.setdefault(b, ifs[b][ib])

up = None
t0 = time.monotonic()
net = Mininet(topo=None, controller=None, build=False)
try:
    h = {n['name']: net.addHost(n['name'], ip=first[n['name']]) for n in lab['nodes']}
    for a, ia, b, ib in lab['links']:
        net.addLink(h[a], h[b], intfName1=ia, intfName2=ib,
                    params1={'ip': ifs[a][ia]}, params2={'ip': ifs[b][ib]})
    net.build()
    net.start()
    for n in lab['nodes']:
        node = h[n['name']]
        for name, cidr in n['ifaces']:
            if name == 'lo':
                node.cmd('ip addr add %s dev lo' % cidr)
        if n['router']:
            node.cmd('sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1')
        for to, via in n['routes']:
            node.cmd('ip route add %s via %s' % (to, via))
        for src, out, to in n['snat']:
            node.cmd('iptables -t nat -A POSTROUTING -s %s -o %s -j SNAT --to-source %s'
                     % (src, out, to))
    up = time.monotonic() - t0
finally:
    t1 = time.monotonic()
    net.stop()
    down = time.monotonic() - t1
print('RESULT %.3f %.3f' % (up * 1000, down * 1000))
