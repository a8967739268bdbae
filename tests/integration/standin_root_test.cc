// Labs with a node of kind root, run by a `topo` whose own network namespace
// is a test-only namespace standing in for the host: the machine's real root
// namespace (its routes, sysctls, firewall) is never touched, yet topo takes
// the stand-in for "the host" exactly as it would the real one (it is the
// namespace topo started in). The stand-in is entered with `nsenter --net`
// only (same mount namespace), so the lab's /run/netns names are the machine's.
//
// Issue #16, round two: item 4 (the root node's checks run in the host's
// namespace, never in one named prefix + node), item 2 (host routes that
// would take over the host's routing are refused) and item 3 (root sysctls
// shared by labs, and their kernel aliases, are restored exactly), and item
// 11 (an interface of the host that replaced the lab's is left by `down`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "standin_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;

std::string ForwardingLab(const std::string& name, const std::string& ifname,
                          const std::string& key, const std::string& value = "1");

class StandInRootTest : public testing::StandInFixture {
 protected:
  // Lab A, "rootfwd" in this state directory, sets net.ipv4.ip_forward; lab
  // B, `b_name` in the other state directory, sets `b_key`: their names and
  // files, written, and both down at the end.
  struct ForwardingPair {
    std::string a, b, b_prefix, file_a, file_b;
  };
  ForwardingPair TwoForwardingLabs(const std::string& b_name, const std::string& b_key) {
    ForwardingPair p;
    p.a = prefix_ + "rootfwd";
    p.b_prefix = prefix_ + "2";
    p.b = p.b_prefix + b_name;
    AddPrefix(p.b_prefix);
    labs_.push_back(p.a);
    other_labs_.push_back(p.b);
    p.file_a = Write("fwd.yaml", ForwardingLab("rootfwd", "e0", "net.ipv4.ip_forward"));
    p.file_b = Write(b_name + ".yaml", ForwardingLab(b_name, "f0", b_key));
    return p;
  }
};

// ---- item 4: checks from and to the root node ----

constexpr char kChecksLab[] = R"(name: rootchecks
nodes:
  h:
    kind: root
    interfaces:
      e0: [10.77.0.1/24]
  n1:
    interfaces:
      e1: [10.77.0.2/24]
links:
  - [h:e0, n1:e1]
checks:
  - {name: host-to-n1, from: h, to: n1}
  - {name: n1-to-host, from: n1, to: h, tcp: 8080}
  - {name: not-from-elsewhere, from: h, to: 203.0.113.9, expect: failure}
)";

TEST_F(StandInRootTest, TheRootNodesChecksRunInTheHostNotInANamespaceNamedAfterIt) {
  const std::string file = Write("rootchecks.yaml", kChecksLab);
  labs_.push_back(prefix_ + "rootchecks");
  // Before the fix: exit 3, "cannot run checks in namespace 'PREFIXh'".
  auto plain = Topo({"test", "--prefix", prefix_, file});
  EXPECT_EQ(plain.status, 0) << plain.output;
  EXPECT_NE(plain.output.find("3 checks, 3 passed, 0 failed"), std::string::npos) << plain.output;

  // A foreign namespace by the name prefix + node, where a ping to
  // 203.0.113.9 works and 10.77.0.1 exists: the checks must not run there.
  const std::string foreign = prefix_ + "h";
  foreign_.push_back(foreign);
  ASSERT_EQ(RunProcess({"ip", "netns", "add", foreign}).status, 0);
  ASSERT_EQ(RunProcess({"ip", "-n", foreign, "link", "set", "lo", "up"}).status, 0);
  for (const char* a : {"203.0.113.9/32", "10.77.0.1/32"}) {
    ASSERT_EQ(RunProcess({"ip", "-n", foreign, "addr", "add", a, "dev", "lo"}).status, 0);
  }
  auto with_foreign = Topo({"test", "--prefix", prefix_, file});
  EXPECT_EQ(with_foreign.status, 0) << with_foreign.output;
  EXPECT_NE(with_foreign.output.find("3 checks, 3 passed, 0 failed"), std::string::npos)
      << with_foreign.output;
}

// ---- item 2: host routes that would take over the host's routing ----

// A root node with `routes` (YAML list entries), linked to one namespace.
std::string RouteLab(const std::string& routes) {
  return "name: rootroutes\n"
         "nodes:\n"
         "  h:\n"
         "    kind: root\n"
         "    interfaces:\n"
         "      e0: [10.77.0.1/24]\n"
         "    routes:\n" +
         routes +
         "  n1:\n"
         "    interfaces:\n"
         "      e1: [10.77.0.2/24]\n"
         "links:\n"
         "  - [h:e0, n1:e1]\n";
}

TEST_F(StandInRootTest, HostRoutesThatTakeOverTheHostsRoutingAreRefused) {
  // The stand-in host: an uplink with an address, a default route through an
  // on-link gateway outside its subnet.
  ASSERT_EQ(InHost({"ip", "link", "add", "u0", "type", "veth", "peer", "name", "u1"}).status, 0);
  ASSERT_EQ(InHost({"ip", "addr", "add", "192.0.2.2/24", "dev", "u0"}).status, 0);
  ASSERT_EQ(InHost({"ip", "link", "set", "u0", "up"}).status, 0);
  ASSERT_EQ(InHost({"ip", "route", "add", "default", "via", "198.51.100.1", "dev", "u0", "onlink"})
                .status,
            0);
  auto routes = [&] { return InHost({"ip", "route", "show", "table", "all"}).output; };
  const std::string before = routes();
  labs_.push_back(prefix_ + "rootroutes");
  const std::string halves =
      Write("halves.yaml", RouteLab("      - {to: 0.0.0.0/1, via: 10.77.0.2}\n"
                                    "      - {to: 128.0.0.0/1, via: 10.77.0.2}\n"));
  auto up = Topo({"up", "--prefix", prefix_, halves});
  EXPECT_EQ(up.status, 2) << up.output;
  EXPECT_NE(up.output.find("host route 128.0.0.0/1 of the root node 'h' covers half of the IPv4 "
                           "address space"),
            std::string::npos)
      << up.output;
  // Allowed on the command line, they still meet the host's own routes at `up`.
  up = Topo({"up", "--prefix", prefix_, "--allow-host-route", "0.0.0.0/0", halves});
  EXPECT_EQ(up.status, 1) << up.output;
  EXPECT_NE(up.output.find("host-side route 128.0.0.0/1 overlaps the host's route 192.0.2.0/24"),
            std::string::npos)
      << up.output;
  // Shadowing the default route's gateway.
  up = Topo({"up", "--prefix", prefix_,
             Write("gateway.yaml", RouteLab("      - {to: 198.51.100.0/24, via: 10.77.0.2}\n"))});
  EXPECT_EQ(up.status, 1) << up.output;
  EXPECT_NE(up.output.find("host-side route 198.51.100.0/24 covers 198.51.100.1, the gateway of "
                           "the host's route default via 198.51.100.1 dev u0"),
            std::string::npos)
      << up.output;
  // The metadata address: refused, unless the command line allows it.
  const std::string metadata =
      Write("metadata.yaml", RouteLab("      - {to: 169.254.169.254/32, via: 10.77.0.2}\n"));
  up = Topo({"up", "--prefix", prefix_, metadata});
  EXPECT_EQ(up.status, 2) << up.output;
  EXPECT_NE(up.output.find("reaches into 169.254.0.0/16"), std::string::npos) << up.output;
  EXPECT_EQ(routes(), before);
  up = Topo({"up", "--prefix", prefix_, "--allow-host-route", "169.254.169.254", metadata});
  ASSERT_EQ(up.status, 0) << up.output;
  EXPECT_NE(routes().find("169.254.169.254 via 10.77.0.2 dev e0"), std::string::npos) << routes();
  auto down = Topo({"down", prefix_ + "rootroutes"});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_EQ(routes(), before);
}

// ---- item 3: root sysctls the kernel ties together ----

std::string ForwardingLab(const std::string& name, const std::string& ifname,
                          const std::string& key, const std::string& value) {
  // Each lab on its own subnet: 10.77.N.0/24, N from the interface's name.
  const std::string net = "10.77." + std::to_string(static_cast<unsigned char>(ifname[0])) + ".";
  return "name: " + name + "\nnodes:\n  h:\n    kind: root\n    interfaces:\n      " + ifname +
         ": [" + net + "1/24]\n    sysctls:\n      " + key + ": " + value +
         "\n      net.ipv6.conf.all.forwarding: " + value +
         "\n  n1:\n    interfaces:\n      e1: [" + net + "2/24]\nlinks:\n  - [h:" + ifname +
         ", n1:e1]\n";
}

TEST_F(StandInRootTest, ForwardingIsRestoredInterfaceByInterfaceByItsLastOwner) {
  // The stand-in host: forwarding off, but on for one of its interfaces.
  ASSERT_EQ(InHost({"ip", "link", "add", "u0", "type", "veth", "peer", "name", "u1"}).status, 0);
  for (const char* kv : {"net.ipv4.ip_forward=0", "net.ipv4.conf.u0.forwarding=1",
                         "net.ipv6.conf.all.forwarding=0", "net.ipv6.conf.u0.forwarding=1"}) {
    ASSERT_EQ(InHost({"sysctl", "-q", "-w", kv}).status, 0) << kv;
  }
  auto forwarding = [&] {
    std::string out;
    for (const char* family : {"ipv4", "ipv6"}) {
      for (const char* i : {"all", "default", "u0", "u1"}) {
        const std::string key = std::string("net.") + family + ".conf." + i + ".forwarding";
        out += key + "=" + Sysctl(key);
      }
    }
    return out;
  };
  const std::string before = forwarding();
  ASSERT_NE(before.find("net.ipv4.conf.u0.forwarding=1"), std::string::npos) << before;
  // Lab A (this state directory) sets net.ipv4.ip_forward; lab B, kept in
  // another state directory, the same setting as net.ipv4.conf.all.forwarding.
  const auto [a, b, b_prefix, file_a, file_b] =
      TwoForwardingLabs("rootfwd2", "net.ipv4.conf.all.forwarding");
  for (bool a_first : {true, false}) {
    auto up = Topo({"up", "--prefix", prefix_, file_a});
    ASSERT_EQ(up.status, 0) << up.output;
    EXPECT_EQ(Sysctl("net.ipv4.conf.u1.forwarding"), "1\n") << "the kernel propagated it";
    EXPECT_EQ(Sysctl("net.ipv6.conf.u1.forwarding"), "1\n") << "the kernel propagated it";
    up = TopoOther({"up", "--prefix", b_prefix, file_b});
    ASSERT_EQ(up.status, 0) << up.output;
    // A third lab that wants the setting off: refused, naming an owner.
    const std::string c_prefix = prefix_ + "3";
    AddPrefix(c_prefix);
    auto off =
        Topo({"up", "--prefix", c_prefix,
              Write("off.yaml", ForwardingLab("rootoff", "g0", "net.ipv4.ip_forward", "0"))});
    EXPECT_EQ(off.status, 1) << off.output;
    EXPECT_NE(off.output.find("sysctl net.ipv4.ip_forward of the root namespace is already set "
                              "to 1 by lab '" +
                              a + "'"),
              std::string::npos)
        << off.output;
    // Whichever goes down first leaves forwarding on for the other; the last restores all.
    auto down = a_first ? Topo({"down", a}) : TopoOther({"down", b});
    ASSERT_EQ(down.status, 0) << down.output;
    for (const char* key : {"net.ipv4.ip_forward", "net.ipv4.conf.u1.forwarding",
                            "net.ipv6.conf.all.forwarding", "net.ipv6.conf.u1.forwarding"}) {
      EXPECT_EQ(Sysctl(key), "1\n") << key << ", " << (a_first ? "A" : "B") << " went down first";
    }
    down = a_first ? TopoOther({"down", b}) : Topo({"down", a});
    ASSERT_EQ(down.status, 0) << down.output;
    // Before the fix: net.ipv4.conf.u0.forwarding=0 (and IPv6's too).
    EXPECT_EQ(forwarding(), before) << (a_first ? "A" : "B") << " went down first";
  }
}

// The last edge of item 3: lab A sets net.ipv4.ip_forward (the kernel copies
// it into every interface's forwarding), lab B, in another state directory,
// net.ipv4.conf.u0.forwarding of the host's own u0. Another value for u0 is
// refused while A is up. With the same value, whichever goes down first
// leaves u0 forwarding for the other, and the last restores every value.
// Before the fix A's `down` turned u0's forwarding off under B, or B's left
// it on after both.
TEST_F(StandInRootTest, AnInterfacesForwardingOwnedBesideIpForwardIsKeptThenRestored) {
  ASSERT_EQ(InHost({"ip", "link", "add", "u0", "type", "veth", "peer", "name", "u1"}).status, 0);
  for (const char* kv : {"net.ipv4.ip_forward=0", "net.ipv6.conf.all.forwarding=0"}) {
    ASSERT_EQ(InHost({"sysctl", "-q", "-w", kv}).status, 0) << kv;
  }
  auto forwarding = [&] {
    std::string out;
    for (const char* i : {"all", "default", "u0", "u1"}) {
      const std::string key = std::string("net.ipv4.conf.") + i + ".forwarding";
      out += key + "=" + Sysctl(key);
    }
    return out + "net.ipv6.conf.all.forwarding=" + Sysctl("net.ipv6.conf.all.forwarding");
  };
  const std::string before = forwarding();
  const auto [a, b, b_prefix, file_a, file_b] =
      TwoForwardingLabs("rootu0", "net.ipv4.conf.u0.forwarding");
  // Off for u0 while A forwards everywhere: refused, naming A.
  auto off = TopoOther(
      {"up", "--prefix", b_prefix,
       Write("u0off.yaml", ForwardingLab("rootu0", "f0", "net.ipv4.conf.u0.forwarding", "0"))});
  EXPECT_EQ(off.status, 0) << off.output;  // nothing owns it yet
  EXPECT_EQ(TopoOther({"down", b}).status, 0);
  for (bool a_first : {true, false}) {
    const std::string order = a_first ? "A up first, A down first" : "B up first, B down first";
    auto up = a_first ? Topo({"up", "--prefix", prefix_, file_a})
                      : TopoOther({"up", "--prefix", b_prefix, file_b});
    ASSERT_EQ(up.status, 0) << up.output;
    if (a_first) {
      auto refused = TopoOther(
          {"up", "--prefix", b_prefix,
           Write("u0off.yaml", ForwardingLab("rootu0", "f0", "net.ipv4.conf.u0.forwarding", "0"))});
      EXPECT_EQ(refused.status, 1) << refused.output;
      EXPECT_NE(refused.output.find("sysctl net.ipv4.conf.u0.forwarding of the root namespace "
                                    "cannot be 0: lab '" +
                                    a + "'"),
                std::string::npos)
          << refused.output;
    }
    up = a_first ? TopoOther({"up", "--prefix", b_prefix, file_b})
                 : Topo({"up", "--prefix", prefix_, file_a});
    ASSERT_EQ(up.status, 0) << up.output;
    auto down = a_first ? Topo({"down", a}) : TopoOther({"down", b});
    ASSERT_EQ(down.status, 0) << down.output;
    EXPECT_EQ(Sysctl("net.ipv4.conf.u0.forwarding"), "1\n") << order;
    down = a_first ? TopoOther({"down", b}) : Topo({"down", a});
    ASSERT_EQ(down.status, 0) << down.output;
    EXPECT_EQ(forwarding(), before) << order;
  }
}

// ---- issue #16 item 11: `down` acts by identity ----

// The lab's interface of the host (the stand-in) replaced by another of the
// same name: `down` leaves it and says so; before, it deleted it.
TEST_F(StandInRootTest, AHostInterfaceThatReplacedTheLabsIsLeft) {
  const std::string file = Write("rootchecks.yaml", kChecksLab);
  const std::string lab = prefix_ + "rootchecks";
  labs_.push_back(lab);
  auto up = Topo({"up", "--prefix", prefix_, file});
  ASSERT_EQ(up.status, 0) << up.output;
  ASSERT_EQ(InHost({"ip", "link", "del", "e0"}).status, 0);
  ASSERT_EQ(InHost({"ip", "link", "add", "e0", "type", "veth", "peer", "name", "e0p"}).status, 0);
  const std::string before = InHost({"ip", "-o", "link", "show", "e0"}).output;
  auto down = Topo({"down", lab});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("interface 'e0' of the host is not the lab's"), std::string::npos)
      << down.output;
  EXPECT_EQ(InHost({"ip", "-o", "link", "show", "e0"}).output, before);
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + prefix_ + "n1"));
}

// ---- issue #14: a root node's port forwards and firewall rules ----

// A root node with filter rules (chains input and forward) and a port forward,
// all on its interface e0.
constexpr char kFirewallLab[] = R"(name: rootfw
nodes:
  h:
    kind: root
    interfaces: {e0: [10.77.0.1/24, "fd00:77::1/64"]}
    firewall:
      rules:
        - {chain: input, in: e0, proto: tcp, port: 22, action: reject}
        - {chain: forward, in: e0, proto: tcp, port: 23, action: drop}
    forward:
      - {proto: tcp, port: 8080, to: "10.77.0.2:80", in: e0}
  n1: {interfaces: {e1: [10.77.0.2/24, "fd00:77::2/64"]}}
links:
  - [h:e0, n1:e1]
checks:
  - {from: n1, to: h, tcp: 22, expect: failure}
  - {from: n1, to: "fd00:77::1", tcp: 22, expect: failure}
  - {from: n1, to: h}
)";

TEST_F(StandInRootTest, FirewallRulesOfTheRootNodeLeaveTheHostsOwnAndItsTablesAsTheyWere) {
  // The stand-in host's firewall as its tools show it (no time stamps).
  auto firewall = [this] {
    std::string s;
    for (const char* save : {"iptables-save", "ip6tables-save"}) {
      std::istringstream in(InHost({save}).output);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] != '#') s += line + "\n";
      }
    }
    return s + InHost({"nft", "list", "tables"}).output;
  };
  // Someone else's rule in the host's filter table: topo must leave it (and the table).
  ASSERT_EQ(InHost({"iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"}).status, 0);
  const std::string before = firewall();
  const std::string file = Write("rootfw.yaml", kFirewallLab);
  labs_.push_back(prefix_ + "rootfw");
  auto test = Topo({"test", "--prefix", prefix_, file});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_NE(test.output.find("3 checks, 3 passed, 0 failed"), std::string::npos) << test.output;
  EXPECT_EQ(firewall(), before);

  auto up = Topo({"up", "--prefix", prefix_, file});
  ASSERT_EQ(up.status, 0) << up.output;
  const std::string during = firewall();
  EXPECT_NE(during.find("-A INPUT -i lo -j ACCEPT"), std::string::npos) << during;
  EXPECT_NE(during.find("-A INPUT -i e0 -p tcp -m tcp --dport 22 -m comment --comment \"topo:" +
                        prefix_ + "rootfw\" -j REJECT"),
            std::string::npos)
      << during;
  // The forward from the host itself: only to the lab's address on e0.
  EXPECT_NE(during.find("-A OUTPUT -d 10.77.0.1/32 -p tcp -m tcp --dport 8080 -m comment "
                        "--comment \"topo:" +
                        prefix_ + "rootfw\" -j DNAT --to-destination 10.77.0.2:80"),
            std::string::npos)
      << during;
  EXPECT_NE(during.find("table ip nat"), std::string::npos) << during;
  auto down = Topo({"down", prefix_ + "rootfw"});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_EQ(firewall(), before);  // the ip nat and ip6 filter tables the lab made are gone
}

}  // namespace
}  // namespace topo
