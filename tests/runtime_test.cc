// The runtime's pure parts: readiness parsers, process identities, the clean
// environment, a node's view, and the scheduling of programs (with the
// recording runtime): order within a node, `after` across nodes, programs of
// different nodes in parallel, and the errors of a program that exits early,
// never gets ready or cannot be started.
#include <gtest/gtest.h>

#include "kernel/program_process.h"
#include "kernel/readiness.h"
#include "lab/node_runtime.h"
#include "lab/programs.h"
#include "support/recording_runtime.h"

namespace topo {
namespace {

const char kTcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:0035 0100007F:A0B2 01 00000000:00000000 00:00000000 00000000     0        0 "
    "2 1 0000000000000000 20 4 30 10 -1\n";

TEST(Readiness, ProcNetTables) {
  EXPECT_TRUE(ProcNetHasPort(kTcp, 8080, true));
  EXPECT_FALSE(ProcNetHasPort(kTcp, 53, true));  // established, not listening
  EXPECT_TRUE(ProcNetHasPort(kTcp, 53, false));
  EXPECT_FALSE(ProcNetHasPort(kTcp, 80, false));
  EXPECT_FALSE(ProcNetHasPort("", 80, false));
  const char tcp6[] =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A\n";
  EXPECT_TRUE(ProcNetHasPort(tcp6, 80, true));
}

TEST(Readiness, LastLines) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\nb\nc", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\n", 10), "a\n");
  EXPECT_EQ(LastLines("", 10), "");
}

TEST(ProcessIdentity, StatAndNotes) {
  uint64_t start = 0;
  char state = 0;
  const std::string stat =
      "42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10";
  ASSERT_TRUE(ParseStatStartTime(stat, &start, &state));
  EXPECT_EQ(start, 98765u);
  EXPECT_EQ(state, 'S');
  EXPECT_FALSE(ParseStatStartTime("42 (x) S 1 2", &start));
  ProcessIdentity id;
  ASSERT_TRUE(ProgramFromNote("123 456 7 8", &id));
  EXPECT_EQ(id, (ProcessIdentity{123, 456}));
  EXPECT_FALSE(ProgramFromNote("", &id));
  EXPECT_FALSE(ProgramFromNote("x y", &id));
  EXPECT_TRUE(StopProgram("", 10).ok());
  ASSERT_TRUE(ProcessIdentity::Parse("9 10", &id));
  EXPECT_EQ(id.ToString(), "9 10");
}

Action Program(const std::string& node, const std::string& name,
               std::vector<std::string> after = {}) {
  Action a;
  a.kind = ActionKind::kStartProgram;
  a.node = node;
  a.ns = "p-" + node;
  a.mutable_program().name = name;
  a.mutable_program().argv = {name};
  a.mutable_program().after = std::move(after);
  return a;
}

TEST(ProgramEnvironment, CleanWithLabFactsThenEnv) {
  Plan plan;
  plan.lab = "p-lab";
  Action a = Program("r1", "zebra");
  a.mutable_program().env = {{"LANG", "C.UTF-8"}, {"PATH", "/opt/bin"}};
  ResolvedUser user;
  user.set = true;
  user.name = "frr";
  user.home = "/var/run/frr";
  EXPECT_EQ(
      ProgramEnvironment(plan, a, user),
      (std::vector<std::string>{"PATH=/opt/bin", "HOME=/var/run/frr", "USER=frr", "LOGNAME=frr",
                                "TOPO_LAB=p-lab", "TOPO_NODE=r1", "TOPO_NS=p-r1", "LANG=C.UTF-8"}));
}

TEST(NodeView, PrivateDirsThenFilesOutsideThem) {
  Plan plan;
  Action d;
  d.kind = ActionKind::kMakeNodeDir;
  d.node = "r1";
  d.set_key("/run/frr");
  Action inside = d, outside = d, other = d;
  inside.kind = outside.kind = ActionKind::kWriteNodeFile;
  inside.set_key("/run/frr/x.conf");
  outside.set_key("/etc/frr/frr.conf");
  other.node = "r2";
  plan.actions = {outside, d, inside, other};
  NodeView v = MakeNodeView(plan, "/s/labs/L", "r1", "p-r1");
  EXPECT_EQ(v.ns, "p-r1");
  EXPECT_EQ(v.hostname, "r1");
  ASSERT_EQ(v.mounts.size(), 2u);
  EXPECT_EQ(v.mounts[0].source, "/s/labs/L/nodes/r1/fs/run/frr");
  EXPECT_EQ(v.mounts[0].target, "/run/frr");
  EXPECT_TRUE(v.mounts[0].dir);
  EXPECT_EQ(v.mounts[1].target, "/etc/frr/frr.conf");
  EXPECT_FALSE(v.mounts[1].dir);
  EXPECT_EQ(NearestExistingAncestor("/"), "/");
  EXPECT_EQ(NearestExistingAncestor("/etc/topo-surely-not-here/x"), "/etc");
}

std::vector<size_t> Indices(const Plan& p) {
  std::vector<size_t> out;
  for (size_t i = 0; i < p.actions.size(); ++i) out.push_back(i);
  return out;
}

TEST(RunPrograms, NodeOrderAndAfterAcrossNodes) {
  Plan plan;
  plan.actions = {Program("r1", "zebra"), Program("r1", "ospfd"), Program("r2", "zebra"),
                  Program("r2", "ospfd", {"r1/ospfd"})};
  testing::RecordingRuntime rt;
  rt.ready_after = {{"r1/zebra", 2}};
  ProgramsOptions o;
  o.poll = std::chrono::milliseconds(0);
  ProgramsResult r = RunPrograms(plan, Indices(plan), rt, o);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.started.size(), 4u);
  EXPECT_EQ(r.ready.size(), 4u);
  // r1/zebra and r2/zebra start together; each ospfd waits for what it depends on.
  EXPECT_EQ(rt.calls,
            (std::vector<std::string>{"spawn r1/zebra", "release r1/zebra", "spawn r2/zebra",
                                      "release r2/zebra", "ready r2/zebra", "ready r1/zebra",
                                      "spawn r1/ospfd", "release r1/ospfd", "ready r1/ospfd",
                                      "spawn r2/ospfd", "release r2/ospfd", "ready r2/ospfd"}));
}

TEST(RunPrograms, ExitingEarlyNamesTheProgramWithItsOutput) {
  Plan plan;
  plan.actions = {Program("h1", "web"), Program("h1", "after-web")};
  plan.actions[0].mutable_program().ready.kind = Readiness::Kind::kTcp;
  plan.actions[0].mutable_program().ready.port = 80;
  testing::RecordingRuntime rt;
  rt.exits = {"h1/web"};
  ProgramsResult r = RunPrograms(plan, Indices(plan), rt, {});
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(),
            "program 'h1/web' exited with status 1 before it was ready (waiting for tcp port 80 "
            "listening); the last lines of its output:\n  | last words of web");
  EXPECT_EQ(r.failed_index, 0u);
  EXPECT_EQ(r.started.size(), 1u);  // started, so a rollback stops it
}

TEST(RunPrograms, NeverReadyTimesOut) {
  Plan plan;
  plan.actions = {Program("h1", "slow")};
  plan.actions[0].mutable_program().ready.kind = Readiness::Kind::kFile;
  plan.actions[0].mutable_program().ready.path = "/run/x";
  plan.actions[0].mutable_program().ready.timeout_ms = 20;
  testing::RecordingRuntime rt;
  rt.never = {"h1/slow"};
  ProgramsResult r = RunPrograms(plan, Indices(plan), rt, {});
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("program 'h1/slow' was not ready within 20ms (waiting for "
                                    "file '/run/x' existing)"),
            std::string::npos)
      << r.status.message();
}

TEST(RunPrograms, SpawnFailureAndUnknownAfter) {
  Plan plan;
  plan.actions = {Program("h1", "missing")};
  testing::RecordingRuntime rt;
  rt.spawn_fails = {"h1/missing"};
  ProgramsResult r = RunPrograms(plan, Indices(plan), rt, {});
  EXPECT_EQ(r.status.message(), "program 'h1/missing' could not be started: no such program");
  EXPECT_TRUE(r.started.empty());
  plan.actions = {Program("h1", "a", {"h2/nothing"})};
  r = RunPrograms(plan, Indices(plan), rt, {});
  EXPECT_EQ(r.status.message(), "program 'h1/a' starts after unknown program 'h2/nothing'");
}

TEST(RunPrograms, CancelStopsTheWait) {
  Plan plan;
  plan.actions = {Program("h1", "slow")};
  plan.actions[0].mutable_program().ready.kind = Readiness::Kind::kFile;
  testing::RecordingRuntime rt;
  rt.never = {"h1/slow"};
  std::atomic<bool> cancel{true};
  ProgramsOptions o;
  o.cancel = &cancel;
  ProgramsResult r = RunPrograms(plan, Indices(plan), rt, o);
  EXPECT_TRUE(r.status.IsInterrupted()) << r.status.message();
}

}  // namespace
}  // namespace topo
