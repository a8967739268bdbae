// Fault injection over the whole apply path against the recording backend, on
// a lab whose plan holds every action kind: a failure at every action of `up`,
// a second failure at every call of the rollback that follows it, a failure at
// every call of `down` (and of every inverse action, namespaces kept), a full
// disk under the journal, and an `up` killed while registering its lab. After
// each, the lab's `down` (run again when the first failed) leaves nothing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "front/validate.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "lab/teardown.h"
#include "plan/compile.h"
#include "support/fault_backend.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

// Every action kind (an interface of a kind: a dummy), both address families, MTU, MAC, sysctls,
// metrics, SNAT with and without a source address, a switch, an impairment, name servers, and the
// host itself (kind: root) with an address, a route, a sysctl and SNAT.
constexpr const char* kKitchenSink = R"(name: sink
nodes:
  a:
    interfaces:
      lo: [1.1.1.1/32, "2001:db8:a::1/128"]
      e0:
        addresses: [10.0.1.2/24, "2001:db8:1::2/64"]
        mac: "02:00:00:00:00:0a"
    routes:
      - {to: default, via: 10.0.1.1}
      - {to: "::/0", via: "2001:db8:1::1"}
    sysctls:
      net.ipv4.conf.all.rp_filter: 0
  r:
    kind: router
    interfaces:
      e0: [10.0.1.1/24, "2001:db8:1::1/64"]
      e1: [10.0.2.1/24, "2001:db8:2::1/64"]
      e2: [10.0.3.1/24]
      e2.20: [10.0.20.1/24]
      e3: [10.0.4.2/24]
      d0: {kind: dummy, addresses: [10.255.0.1/32]}
    routes:
      - {to: 1.1.1.1/32, via: 10.0.1.2, metric: 10}
      - {to: 10.9.0.0/16, dev: e1}
    snat:
      - {source: 10.0.1.0/24, out: e1}
      - {source: "2001:db8:1::/64", out: e1, to: "2001:db8:2::1"}
    forward:
      - {proto: tcp, port: 8080, to: "10.0.2.2:80", in: e0}
    firewall:
      policy: {forward: drop}
      rules:
        - {chain: forward, state: [established, related], action: accept}
        - {chain: forward, in: e0, to: 10.0.2.2, proto: tcp, port: 80, action: accept}
  b:
    interfaces:
      e0: [10.0.2.2/24, "2001:db8:2::2/64"]
    routes:
      - {to: default, via: 10.0.2.1}
  c:
    interfaces:
      e0: [10.0.3.3/24]
    dns: [10.0.3.1]
    routes:
      - {to: default, via: 10.0.3.1}
  sw:
    kind: switch
    interfaces:
      p0: {access: 10}
      p1: {trunk: [20], native: 10}
  host:
    kind: root
    interfaces:
      th0: [10.0.4.1/24]
    routes:
      - {to: 10.0.3.0/24, via: 10.0.4.2}
    sysctls:
      net.ipv4.conf.th0.forwarding: 1
    snat:
      - {source: 10.0.4.0/24, out: uplink0}
    forward:
      - {proto: udp, port: 5353, to: "10.0.4.2:53", in: uplink0}
    firewall:
      rules:
        - {chain: forward, in: th0, proto: icmp, action: drop}
links:
  - {endpoints: [a:e0, r:e0], mtu: 9000, impair: {rate: 10mbit}}
  - [b:e0, r:e1]
  - [c:e0, sw:p0]
  - [r:e2, sw:p1]
  - [host:th0, r:e3]
)";

Plan KitchenSink() {
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(kKitchenSink, &diags, "sink.yaml");
  EXPECT_TRUE(t) << testing::Brief(diags);
  return Compile(*t, "sink.yaml");
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
  }
  // `down` until it succeeds (at most twice): the machine must then be clean.
  void ExpectDownCleans(const std::string& lab, RecordingBackend& b, const std::string& where) {
    StateStore store(dir_);
    DownResult d = Down(lab, b, store);
    if (!d.status.ok()) d = Down(lab, b, store);
    EXPECT_TRUE(d.status.ok()) << where << ": " << d.status.message();
    EXPECT_TRUE(b.Empty()) << where;
    EXPECT_TRUE(store.ListLabs().empty()) << where;
  }
  testing::TempDir tmp_{"topo-faults"};
  std::string dir_;
};

TEST_F(FaultTest, KitchenSinkPlanHoldsEveryActionKind) {
  std::set<ActionKind> kinds;
  for (const Action& a : KitchenSink().actions) kinds.insert(a.kind);
  EXPECT_EQ(kinds.size(), static_cast<size_t>(ActionKind::kWriteEtcFile) + 1);
}

TEST_F(FaultTest, FailureAtEveryActionThenAtEveryRollbackCallLeavesNothingAfterDown) {
  const Plan p = KitchenSink();
  size_t injected = 0;
  for (int i = 0; i < static_cast<int>(p.actions.size()); ++i) {
    int rollback_calls = 0;
    {
      RecordingBackend rec;
      FaultInjectionBackend faulty(&rec, i);
      StateStore store(dir_);
      UpResult r = Up(p, faulty, store);
      ASSERT_FALSE(r.status.ok());
      EXPECT_EQ(r.apply.failed_index, static_cast<size_t>(i));
      EXPECT_TRUE(r.apply.rollback.ok());
      EXPECT_TRUE(rec.Empty()) << "failure at " << i;
      EXPECT_TRUE(store.ListLabs().empty()) << "failure at " << i;
      rollback_calls = faulty.mutating_calls() - i - 1;
      ++injected;
    }
    // A second failure at each call of the rollback: the lab stays recorded,
    // `up` says so, and `down` finishes the job.
    for (int k = 0; k < rollback_calls; ++k) {
      RecordingBackend rec;
      FaultInjectionBackend first(&rec, i);
      FaultInjectionBackend second(&first, i + 1 + k, "rollback failure");
      StateStore store(dir_);
      UpResult r = Up(p, second, store);
      store.Unlock();
      ASSERT_FALSE(r.status.ok());
      ASSERT_EQ(r.apply.rollback.errors.size(), 1u) << i << "/" << k;
      EXPECT_NE(r.apply.rollback.errors[0].find("rollback failure"), std::string::npos);
      EXPECT_EQ(store.ListLabs(), std::vector<std::string>{"sink"});
      ExpectDownCleans("sink", rec,
                       "failure at " + std::to_string(i) + ", rollback call " + std::to_string(k));
      ++injected;
    }
  }
  // Recorded for docs/TRUST.md.
  std::cout << "[ faults ] " << injected << " injected failures during up and its rollback over "
            << p.actions.size() << " actions\n";
  EXPECT_GT(injected, p.actions.size());
}

TEST_F(FaultTest, FailureAtEveryCallOfDownThenDownAgainLeavesNothing) {
  const Plan p = KitchenSink();
  // A clean run first: how many calls `down` makes, and how many inverses it does.
  int down_calls = 0;
  size_t all_undone = 0;
  {
    RecordingBackend rec;
    FaultInjectionBackend counting(&rec, -1);
    StateStore store(dir_);
    ASSERT_TRUE(Up(p, counting, store).status.ok());
    store.Unlock();
    const int up_calls = counting.mutating_calls();
    DownResult d = Down("sink", counting, store);
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    down_calls = counting.mutating_calls() - up_calls;
    all_undone = d.report.undone;
    EXPECT_TRUE(rec.Empty());
  }
  ASSERT_GT(down_calls, 0);
  for (int k = 0; k < down_calls; ++k) {
    RecordingBackend rec;
    FaultInjectionBackend faulty(&rec, static_cast<int>(p.actions.size()) + k, "Device busy");
    StateStore store(dir_);
    ASSERT_TRUE(Up(p, faulty, store).status.ok());
    store.Unlock();
    DownResult d = Down("sink", faulty, store);
    store.Unlock();
    EXPECT_FALSE(d.status.ok());
    ASSERT_EQ(d.report.errors.size(), 1u);
    EXPECT_EQ(d.report.undone, all_undone - 1) << "down carries on past a failure at call " << k;
    EXPECT_EQ(store.ListLabs(), std::vector<std::string>{"sink"}) << "the journal stays";
    ExpectDownCleans("sink", rec, "down failing at call " + std::to_string(k));
  }
}

// With the namespaces kept (as for objects outside the lab's namespaces), every
// inverse action runs; a failure at each is reported and the others still run.
// (Inverses of MTU and MAC changes are no-ops: the veth goes with its pair.)
TEST_F(FaultTest, FailureAtEveryInverseActionIsReportedAndTheRestIsUndone) {
  const Plan p = KitchenSink();
  std::vector<bool> inner(p.actions.size());
  std::map<size_t, std::string> notes;
  for (size_t i = 0; i < p.actions.size(); ++i) {
    inner[i] = p.actions[i].kind != ActionKind::kCreateNamespace;
    if (p.actions[i].kind == ActionKind::kSetSysctl) notes[i] = "0";
    // The host's nat table did not exist before: its SNAT rule made it.
    if (p.actions[i].kind == ActionKind::kAddSnat && p.actions[i].ns.empty()) {
      notes[i] = kNewNatTable;
    }
    // Its filter table did not either (the nat table is the SNAT rule's).
    if (p.actions[i].kind == ActionKind::kAddFirewall && p.actions[i].ns.empty() &&
        p.actions[i].firewall().table == "filter") {
      notes[i] = kNewTable;
    }
  }
  const int applied = static_cast<int>(p.actions.size());
  int calls = 0;
  size_t inverses = 0;  // what the clean teardown undid or found gone
  {
    RecordingBackend rec;
    FaultInjectionBackend probe(&rec, -1);
    ASSERT_TRUE(Apply(p, probe).status.ok());
    TeardownReport clean = Teardown(p, inner, std::nullopt, notes, probe);
    ASSERT_TRUE(clean.ok());
    inverses = clean.undone + clean.already_gone.size();
    calls = probe.mutating_calls() - applied;
  }
  for (int k = 0; k < calls; ++k) {
    RecordingBackend rec;
    FaultInjectionBackend faulty(&rec, applied + k, "injected");
    ASSERT_TRUE(Apply(p, faulty).status.ok());
    TeardownReport rep = Teardown(p, inner, std::nullopt, notes, faulty);
    ASSERT_EQ(rep.errors.size(), 1u) << k;
    EXPECT_EQ(rep.undone + rep.already_gone.size(), inverses - 1) << k;
    // Then the whole teardown: nothing left.
    TeardownReport all =
        Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, notes, faulty);
    EXPECT_TRUE(all.ok());
    EXPECT_TRUE(rec.Empty());
  }
  std::cout << "[ faults ] " << calls << " injected failures, one at each inverse action\n";
  EXPECT_GE(calls, 25);
}

TEST_F(FaultTest, FullDiskUnderTheJournalRollsBack) {
  const Plan p = KitchenSink();
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Journal journal(fd);
  RecordingBackend rec;
  ApplyOptions o;
  o.journal = &journal;
  ApplyResult r = Apply(p, rec, o);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("No space left on device"), std::string::npos)
      << r.status.message();
  EXPECT_TRUE(r.rolled_back);
  EXPECT_TRUE(rec.Empty());
}

// An `up` killed between creating its lab directory and writing plan.json
// (before touching the kernel) must not block the lab forever.
TEST_F(FaultTest, LeftoversOfAKilledRegistrationDoNotBlockTheLab) {
  StateStore store(dir_);
  ASSERT_TRUE(store.Open().ok());
  const std::string lab = dir_ + "/labs/sink";
  for (bool via_down : {false, true}) {
    ASSERT_EQ(mkdir(lab.c_str(), 0700), 0);
    std::ofstream(lab + "/namespaces") << "a\nr\n";
    std::ofstream(lab + "/plan.json.tmp") << "{\"lab\":";
    RecordingBackend rec;
    if (via_down) {
      DownResult d = Down("sink", rec, store);
      store.Unlock();
      EXPECT_TRUE(d.status.ok());
      EXPECT_FALSE(d.was_up);
      EXPECT_FALSE(std::filesystem::exists(lab));
    } else {
      UpResult r = Up(KitchenSink(), rec, store);
      store.Unlock();
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      ExpectDownCleans("sink", rec, "after a killed registration");
    }
  }
}

}  // namespace
}  // namespace topo
