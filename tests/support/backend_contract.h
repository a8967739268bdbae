// The Backend contract: cases every Backend must pass alike, so the recording
// backend the unit tests use behaves as the kernel does. A GoogleTest typed
// test suite, instantiated once per backend with an Env that supplies it:
//
//   struct Env {
//     Backend& backend();
//     bool Ready(std::string* why);  // false: cannot run here (why says so)
//     std::string Prefix();          // starts every namespace name the test makes
//   };
//
// tests/backend_contract_test.cc runs it on RecordingBackend (label unit),
// tests/integration/backend_contract_test.cc on NetlinkBackend (integration;
// root, and with CI=true a failure rather than a skip without it). Every
// namespace a case makes is named Prefix()+suffix and deleted by that exact
// name in TearDown, also when the case failed.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/backend.h"

namespace topo {
namespace contract {

inline Prefix P(const std::string& text) {
  std::string error;
  auto p = ParsePrefix(text, &error);
  EXPECT_TRUE(p.has_value()) << text << ": " << error;
  return p.value_or(Prefix());
}

inline IpAddress A(const std::string& text) {
  auto a = ParseIp(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

inline const InterfaceState* FindInterface(const NamespaceState& st, const std::string& name) {
  for (const auto& i : st.interfaces) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

inline std::string RouteLines(const NamespaceState& st) {
  std::string out;
  for (const RouteState& r : st.routes) out += "  " + r.ToString() + "\n";
  return out;
}

}  // namespace contract

template <typename Env>
class BackendContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!env_.Ready(&why)) {
      const char* ci = std::getenv("CI");
      if (ci && std::string(ci) == "true") FAIL() << why << " (CI=true, so not skipping)";
      GTEST_SKIP() << why;
    }
    ready_ = true;
  }

  void TearDown() override {
    if (!ready_) return;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      Status s = b().DeleteNamespace(*it);
      EXPECT_TRUE(s.ok() || s.IsNotFound()) << *it << ": " << s.ToString();
    }
  }

  Backend& b() { return env_.backend(); }

  // A namespace name of this test, deleted (by this exact name) in TearDown.
  std::string Name(const std::string& suffix) {
    std::string name = env_.Prefix() + suffix;
    created_.push_back(name);
    return name;
  }

  // Two namespaces joined by a veth (a:va <-> b:vb), both ends up, with
  // 10.77.0.1/24 on va and 10.77.0.2/24 on vb.
  void BuildPair() {
    a_ = Name("a");
    b_ = Name("b");
    Status s;
    ASSERT_TRUE((s = b().CreateNamespace(a_)).ok()) << s.ToString();
    ASSERT_TRUE((s = b().CreateNamespace(b_)).ok()) << s.ToString();
    ASSERT_TRUE((s = b().CreateVeth(a_, "va", b_, "vb")).ok()) << s.ToString();
    ASSERT_TRUE((s = b().SetLinkUp(a_, "va", true)).ok()) << s.ToString();
    ASSERT_TRUE((s = b().SetLinkUp(b_, "vb", true)).ok()) << s.ToString();
    ASSERT_TRUE((s = b().AddAddress(a_, "va", contract::P("10.77.0.1/24"))).ok()) << s.ToString();
    ASSERT_TRUE((s = b().AddAddress(b_, "vb", contract::P("10.77.0.2/24"))).ok()) << s.ToString();
  }

  Env env_;
  bool ready_ = false;
  std::vector<std::string> created_;
  std::string a_, b_;
};

TYPED_TEST_SUITE_P(BackendContract);

TYPED_TEST_P(BackendContract, NamespacesComeAndGo) {
  Backend& b = this->b();
  const std::string ns = this->Name("ns");
  EXPECT_FALSE(b.NamespaceExists(ns));
  NamespaceState st;
  ASSERT_TRUE(b.Inspect(ns, &st).ok());
  EXPECT_FALSE(st.exists);

  Status s = b.CreateNamespace(ns);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(b.NamespaceExists(ns));
  EXPECT_TRUE(b.CreateNamespace(ns).IsAlreadyExists());

  ASSERT_TRUE(b.Inspect(ns, &st).ok());
  EXPECT_TRUE(st.exists);
  ASSERT_EQ(st.interfaces.size(), 1u);
  EXPECT_EQ(st.interfaces[0].name, "lo");
  EXPECT_TRUE(st.routes.empty()) << contract::RouteLines(st);

  ASSERT_TRUE((s = b.DeleteNamespace(ns)).ok()) << s.ToString();
  EXPECT_FALSE(b.NamespaceExists(ns));
  EXPECT_TRUE(b.DeleteNamespace(ns).IsNotFound());
}

TYPED_TEST_P(BackendContract, EndingProcessesWhereThereAreNone) {
  // Nothing runs in a fresh namespace, and a name that does not exist is
  // skipped: both end nothing, and succeed.
  Backend& b = this->b();
  const std::string ns = this->Name("ns"), gone = this->Name("gone");
  ASSERT_TRUE(b.CreateNamespace(ns).ok());
  size_t ended = 99;
  Status s = b.EndProcesses({ns, gone}, &ended);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ended, 0u);
  EXPECT_TRUE(b.EndProcesses({}, &ended).ok());
  EXPECT_EQ(ended, 0u);
  EXPECT_TRUE(b.NamespaceExists(ns)) << "ending processes leaves the namespace";
}

TYPED_TEST_P(BackendContract, VethsLinksAndAddresses) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_, other = this->b_;
  EXPECT_TRUE(b.CreateVeth(a, "va", other, "vx").IsAlreadyExists());
  EXPECT_TRUE(b.CreateVeth(a, "vy", other, "vb").IsAlreadyExists());
  Status s;
  ASSERT_TRUE((s = b.SetMtu(a, "va", 1400)).ok()) << s.ToString();
  EXPECT_TRUE(b.SetMtu(a, "nosuch", 1400).IsNotFound());
  EXPECT_TRUE(b.SetLinkUp(a, "nosuch", true).IsNotFound());
  EXPECT_TRUE(b.AddAddress(a, "va", contract::P("10.77.0.1/24")).IsAlreadyExists());
  EXPECT_TRUE(b.AddAddress(a, "nosuch", contract::P("10.76.0.1/24")).IsNotFound());

  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  const InterfaceState* va = contract::FindInterface(st, "va");
  ASSERT_NE(va, nullptr);
  EXPECT_TRUE(va->up);
  EXPECT_EQ(va->mtu, 1400);
  EXPECT_EQ(va->addresses, std::vector<std::string>{"10.77.0.1/24"});

  ASSERT_TRUE((s = b.DeleteAddress(a, "va", contract::P("10.77.0.1/24"))).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteAddress(a, "va", contract::P("10.77.0.1/24")).IsNotFound());

  ASSERT_TRUE((s = b.DeleteVeth(a, "va")).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteVeth(a, "va").IsNotFound());
  EXPECT_TRUE(b.DeleteVeth(other, "vb").IsNotFound());  // the peer went with it
  ASSERT_TRUE(b.Inspect(other, &st).ok());
  EXPECT_EQ(contract::FindInterface(st, "vb"), nullptr);
}

TYPED_TEST_P(BackendContract, RoutesComeBackTyped) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  RouteSpec def;
  def.family = 4;
  def.via = contract::A("10.77.0.2");
  def.dev = "va";
  RouteSpec net;
  net.to = contract::P("10.78.0.0/24");
  net.family = 4;
  net.via = contract::A("10.77.0.2");
  net.dev = "va";
  net.metric = 50;
  Status s;
  ASSERT_TRUE((s = b.AddRoute(a, def)).ok()) << s.ToString();
  ASSERT_TRUE((s = b.AddRoute(a, net)).ok()) << s.ToString();
  EXPECT_TRUE(b.AddRoute(a, net).IsAlreadyExists());

  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  const RouteState* got_def = nullptr;
  const RouteState* got_net = nullptr;
  for (const RouteState& r : st.routes) {
    if (r.Matches(def)) got_def = &r;
    if (r.Matches(net)) got_net = &r;
  }
  ASSERT_NE(got_def, nullptr) << contract::RouteLines(st);
  ASSERT_NE(got_net, nullptr) << contract::RouteLines(st);
  EXPECT_FALSE(got_def->to.has_value());
  EXPECT_EQ(got_def->family, 4);
  ASSERT_EQ(got_net->nexthops.size(), 1u);
  EXPECT_EQ(got_net->nexthops[0].via, contract::A("10.77.0.2"));
  EXPECT_EQ(got_net->nexthops[0].dev, "va");
  EXPECT_EQ(got_net->metric, std::optional<long>(50));
  EXPECT_EQ(got_net->to, contract::P("10.78.0.0/24"));
  EXPECT_EQ(got_net->ToString(), "10.78.0.0/24 via 10.77.0.2 dev va metric 50");

  ASSERT_TRUE((s = b.DeleteRoute(a, net)).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteRoute(a, net).IsNotFound());
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  for (const RouteState& r : st.routes) EXPECT_FALSE(r.Matches(net)) << r.ToString();
}

TYPED_TEST_P(BackendContract, SysctlsReadAndWrite) {
  Backend& b = this->b();
  const std::string ns = this->Name("s");
  ASSERT_TRUE(b.CreateNamespace(ns).ok());
  // A new namespace may inherit the host's value: flip whatever it is.
  std::string before;
  Status s = b.ReadSysctl(ns, "net.ipv4.ip_forward", &before);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(before == "0" || before == "1") << before;
  const std::string flipped = before == "0" ? "1" : "0";
  std::string previous;
  ASSERT_TRUE((s = b.SetSysctl(ns, "net.ipv4.ip_forward", flipped, &previous)).ok())
      << s.ToString();
  EXPECT_EQ(previous, before);
  std::string after;
  ASSERT_TRUE(b.ReadSysctl(ns, "net.ipv4.ip_forward", &after).ok());
  EXPECT_EQ(after, flipped);
}

TYPED_TEST_P(BackendContract, BridgesAndPorts) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  Status s;
  ASSERT_TRUE((s = b.CreateBridge(a, "br0", false, false)).ok()) << s.ToString();
  EXPECT_TRUE(b.CreateBridge(a, "br0", false, false).IsAlreadyExists());
  ASSERT_TRUE((s = b.SetMaster(a, "va", "br0")).ok()) << s.ToString();
  EXPECT_TRUE(b.SetMaster(a, "nosuch", "br0").IsNotFound());
  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  EXPECT_NE(contract::FindInterface(st, "br0"), nullptr);
  ASSERT_TRUE((s = b.SetMaster(a, "va", "")).ok()) << s.ToString();
  ASSERT_TRUE((s = b.DeleteBridge(a, "br0")).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteBridge(a, "br0").IsNotFound());
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  EXPECT_EQ(contract::FindInterface(st, "br0"), nullptr);
}

// A kernel built without 802.1Q (CONFIG_VLAN_8021Q) or bridge VLAN filtering
// says so (EOPNOTSUPP): the test is skipped, saying why.
TYPED_TEST_P(BackendContract, VlanSubInterfaces) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  Status s = b.CreateVlan(a, "va.10", "va", 10);
  if (s.sys_errno() == EOPNOTSUPP) GTEST_SKIP() << s.ToString();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(b.CreateVlan(a, "va.10", "va", 10).IsAlreadyExists());
  EXPECT_TRUE(b.CreateVlan(a, "vz.10", "nosuch", 10).IsNotFound());
  ASSERT_TRUE((s = b.AddAddress(a, "va.10", contract::P("10.79.0.1/24"))).ok()) << s.ToString();
  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  EXPECT_NE(contract::FindInterface(st, "va.10"), nullptr);
  ASSERT_TRUE((s = b.DeleteVlan(a, "va.10")).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteVlan(a, "va.10").IsNotFound());
}

// Interfaces of a kind: a dummy, a macvlan and a VXLAN on a veth end, each
// read back with its kind, and deleted. A kernel without one says so
// (EOPNOTSUPP): that kind is left out, and the test skipped if it has none.
TYPED_TEST_P(BackendContract, InterfacesOfAKind) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  VirtualSpec dummy, macvlan, vxlan;
  dummy.kind = IfKind::kDummy;
  macvlan.kind = IfKind::kMacvlan;
  macvlan.parent = "va";
  macvlan.mode = "bridge";
  vxlan.kind = IfKind::kVxlan;
  vxlan.vni = 77;
  vxlan.remote = ParseIp("10.79.1.2");
  vxlan.parent = "va";
  std::vector<std::pair<std::string, VirtualSpec>> made;
  std::string lacking;
  for (const auto& [name, spec] :
       {std::pair{"d0", dummy}, std::pair{"mv0", macvlan}, std::pair{"vx0", vxlan}}) {
    Status s = b.CreateInterface(a, name, spec);
    if (s.sys_errno() == EOPNOTSUPP) {
      lacking += s.message() + "\n";
      continue;
    }
    ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
    EXPECT_TRUE(b.CreateInterface(a, name, spec).IsAlreadyExists()) << name;
    made.emplace_back(name, spec);
  }
  if (made.empty()) GTEST_SKIP() << lacking;
  macvlan.parent = "nosuch";
  Status s = b.CreateInterface(a, "mv1", macvlan);
  EXPECT_TRUE(s.IsNotFound() || s.sys_errno() == EOPNOTSUPP) << s.ToString();
  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  for (const auto& [name, spec] : made) {
    const InterfaceState* i = contract::FindInterface(st, name);
    ASSERT_NE(i, nullptr) << name;
    EXPECT_EQ(i->kind, IfKindName(spec.kind));
  }
  for (const auto& [name, spec] : made) {
    ASSERT_TRUE((s = b.DeleteInterface(a, name)).ok()) << name << ": " << s.ToString();
    EXPECT_TRUE(b.DeleteInterface(a, name).IsNotFound()) << name;
  }
}

TYPED_TEST_P(BackendContract, VlanPorts) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  Status s = b.CreateBridge(a, "br0", false, true);
  if (s.sys_errno() == EOPNOTSUPP) GTEST_SKIP() << s.ToString();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE((s = b.SetMaster(a, "va", "br0")).ok()) << s.ToString();
  PortVlans trunk;
  trunk.tagged = {10, 20};
  trunk.untagged = 30;
  ASSERT_TRUE((s = b.SetPortVlans(a, "va", trunk)).ok()) << s.ToString();
  EXPECT_TRUE(b.SetPortVlans(a, "nosuch", trunk).IsNotFound());
  PortVlans back;
  ASSERT_TRUE((s = b.ReadPortVlans(a, "va", &back)).ok()) << s.ToString();
  EXPECT_EQ(back.ToString(), "trunk 10,20 native 30");
  ASSERT_TRUE((s = b.ClearPortVlans(a, "va", trunk)).ok()) << s.ToString();
  ASSERT_TRUE((s = b.DeleteBridge(a, "br0")).ok()) << s.ToString();
}

TYPED_TEST_P(BackendContract, SnatRulesAllOrNone) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  const std::string tag = "topo:" + this->env_.Prefix() + "contract";
  const SnatSpec one{contract::P("10.77.0.0/24"), "va", std::nullopt, tag};
  const SnatSpec two{contract::P("10.78.0.0/24"), "va", contract::A("10.77.0.1"), tag};
  const SnatSpec six{contract::P("fd00:77::/64"), "va", std::nullopt, tag};
  SnatSpec other = two;
  other.comment = tag + "-other";
  bool exists = true;
  Status s;
  ASSERT_TRUE((s = b.NatTableExists(a, false, &exists)).ok()) << s.ToString();
  EXPECT_FALSE(exists);
  EXPECT_EQ(b.AddSnat(a, {one, six}).code(), Status::Code::kInvalidArgument);

  // The first rule makes the nat table.
  ASSERT_TRUE((s = b.AddSnat(a, {one, two})).ok()) << s.ToString();
  ASSERT_TRUE((s = b.AddSnat(a, {six})).ok()) << s.ToString();
  ASSERT_TRUE(b.NatTableExists(a, false, &exists).ok());
  EXPECT_TRUE(exists);
  // HasSnat tells a rule that is there (either family) from one that is not.
  for (const SnatSpec* r : {&one, &two, &six}) {
    bool present = false;
    ASSERT_TRUE((s = b.HasSnat(a, *r, &present)).ok()) << s.ToString();
    EXPECT_TRUE(present) << r->ToString();
  }
  bool present = true;
  ASSERT_TRUE((s = b.HasSnat(a, other, &present)).ok()) << s.ToString();
  EXPECT_FALSE(present);

  // A deletion that names a rule that is not there (here: another comment) deletes nothing.
  EXPECT_TRUE(b.DeleteSnat(a, {one, other}).IsNotFound());
  ASSERT_TRUE((s = b.DeleteSnat(a, {one, two})).ok()) << s.ToString();
  EXPECT_TRUE(b.DeleteSnat(a, {one}).IsNotFound());
  ASSERT_TRUE((s = b.DeleteSnat(a, {six})).ok()) << s.ToString();
  ASSERT_TRUE((s = b.HasSnat(a, one, &present)).ok()) << s.ToString();
  EXPECT_FALSE(present);

  // The emptied table stays until it is removed.
  ASSERT_TRUE(b.NatTableExists(a, false, &exists).ok());
  EXPECT_TRUE(exists);
  ASSERT_TRUE((s = b.RemoveNatTableIfEmpty(a, false)).ok()) << s.ToString();
  ASSERT_TRUE(b.NatTableExists(a, false, &exists).ok());
  EXPECT_FALSE(exists);
}

// A rate alone is a tbf (no netem, which this machine's kernel may lack):
// Inspect reads it back, and after clearing, the default qdisc.
TYPED_TEST_P(BackendContract, ImpairmentsReadBack) {
  ASSERT_NO_FATAL_FAILURE(this->BuildPair());
  Backend& b = this->b();
  const std::string a = this->a_;
  Impairment rate;
  rate.rate_bps = 10'000'000;
  Status s;
  ASSERT_TRUE((s = b.SetImpairment(a, "va", rate)).ok()) << s.ToString();
  NamespaceState st;
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  const InterfaceState* va = contract::FindInterface(st, "va");
  ASSERT_NE(va, nullptr);
  EXPECT_EQ(va->qdisc, "tbf");
  EXPECT_TRUE(ImpairmentsMatch(rate, va->impairment)) << va->impairment.ToString();
  Impairment other = rate;
  other.rate_bps = 20'000'000;
  EXPECT_FALSE(ImpairmentsMatch(other, va->impairment));
  ASSERT_TRUE((s = b.ClearImpairment(a, "va")).ok()) << s.ToString();
  ASSERT_TRUE(b.Inspect(a, &st).ok());
  va = contract::FindInterface(st, "va");
  ASSERT_NE(va, nullptr);
  EXPECT_NE(va->qdisc, "tbf");
  EXPECT_TRUE(va->impairment.IsNone()) << va->impairment.ToString();
}

REGISTER_TYPED_TEST_SUITE_P(BackendContract, NamespacesComeAndGo, EndingProcessesWhereThereAreNone,
                            VethsLinksAndAddresses, RoutesComeBackTyped, SysctlsReadAndWrite,
                            BridgesAndPorts, VlanSubInterfaces, InterfacesOfAKind, VlanPorts,
                            SnatRulesAllOrNone, ImpairmentsReadBack);

}  // namespace topo
