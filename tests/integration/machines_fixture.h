// Simulated machines for the tests of labs across machines (docs/machines.md):
// a machine is whatever network namespace topo runs in, so N "machines" are N
// namespaces, named after the test's unique prefix, on a private underlay
// subnet: two joined by a veth, three or more by a bridge in one more
// namespace (each machine's `ul0` a port of it). Nothing joins the underlay
// to the root namespace, so it has no path to the host's uplink (MakeMachines
// checks that each machine has no route but the underlay's). `topo` runs
// inside a machine through `nsenter --net=/run/netns/NS` (util-linux; an argv,
// never a shell string), sharing the mount namespace, /run/netns and the
// test's private state directory with the other machines, as the contract
// says (parts are recorded as `LAB@MACHINE`).
//
// Cleanup is by exact name, also when the test fails: CleanUp runs `topo down
// --machine M FILE` of every part the test brought up (or tried to), each in
// its machine, then deletes the machine namespaces and the underlay's; then
// LabFixture's leak check fails the test for anything of its prefix that is
// left.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo::testing {

class MachinesFixture : public LabFixture {
 protected:
  // One simulated machine: its name in the topology, its namespace, and the
  // underlay address it has ("10.77.0.1/24"; empty: none, so its `up` fails).
  struct Machine {
    std::string name, ns, address;
  };

  // Makes the machines (name, address with its length), joined on one
  // underlay: a veth for two, a bridge in the namespace PREFIXunderlay for more.
  void MakeMachines(const std::vector<std::pair<std::string, std::string>>& machines) {
    for (const auto& [name, address] : machines) {
      Machine m{name, prefix_ + "machine-" + name, address};
      ASSERT_EQ(RunProcess({"ip", "netns", "add", m.ns}).status, 0) << m.ns;
      machines_.push_back(m);
      ASSERT_EQ(Ip(m.ns, {"link", "set", "lo", "up"}).status, 0);
    }
    if (machines_.size() == 2) {
      ProcessResult r = Ip(machines_[0].ns, {"link", "add", "ul0", "type", "veth", "peer", "name",
                                             "ul0", "netns", machines_[1].ns});
      ASSERT_EQ(r.status, 0) << r.output;
    } else {
      underlay_ = prefix_ + "underlay";
      ASSERT_EQ(RunProcess({"ip", "netns", "add", underlay_}).status, 0);
      ASSERT_EQ(Ip(underlay_, {"link", "add", "br0", "type", "bridge"}).status, 0);
      ASSERT_EQ(Ip(underlay_, {"link", "set", "br0", "up"}).status, 0);
      for (size_t i = 0; i < machines_.size(); ++i) {
        const std::string port = "p" + std::to_string(i + 1);
        ProcessResult r = Ip(underlay_, {"link", "add", port, "type", "veth", "peer", "name", "ul0",
                                         "netns", machines_[i].ns});
        ASSERT_EQ(r.status, 0) << r.output;
        ASSERT_EQ(Ip(underlay_, {"link", "set", port, "master", "br0", "up"}).status, 0);
      }
    }
    for (const Machine& m : machines_) {
      if (!m.address.empty()) {
        // An IPv6 address without duplicate address detection: usable at once,
        // as a real machine's long-settled address is.
        std::vector<std::string> add = {"addr", "add", m.address, "dev", "ul0"};
        if (m.address.find(':') != std::string::npos) add.push_back("nodad");
        ASSERT_EQ(Ip(m.ns, add).status, 0) << m.address;
      }
      ASSERT_EQ(Ip(m.ns, {"link", "set", "ul0", "up"}).status, 0);
      ExpectIsolated(m);
    }
  }

  void CleanUp() override {
    for (const auto& [machine, args] : parts_) TopoOn(machine, Down(machine, args));
    for (const std::string& lab : labs_) Topo({"down", lab});
    for (const Machine& m : machines_) RunProcess({"ip", "netns", "del", m.ns});
    if (!underlay_.empty()) RunProcess({"ip", "netns", "del", underlay_});
  }

  const Machine& Find(const std::string& machine) const {
    for (const Machine& m : machines_) {
      if (m.name == machine) return m;
    }
    ADD_FAILURE() << "no simulated machine " << machine;
    return machines_.front();
  }

  // argv started in the machine's network namespace.
  ProcessResult On(const std::string& machine, std::vector<std::string> argv) {
    return RunProcess(InMachine(machine, std::move(argv)), env_);
  }
  // `topo ARGS` in the machine.
  ProcessResult TopoOn(const std::string& machine, std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    return On(machine, std::move(args));
  }
  // `topo VERB --machine M --prefix P FILE` in machine M: the part's verbs.
  ProcessResult Part(const std::string& verb, const std::string& machine, const std::string& file) {
    if (verb == "up") Remember(machine, file);
    return TopoOn(machine, {verb, "--machine", machine, "--prefix", prefix_, file});
  }
  // Starts `topo up --machine M --prefix P FILE` in machine M with `env`
  // added, and waits until it stops itself (TOPO_TEST_STOP_AFTER); returns its
  // pid, or -1 when it exited first.
  pid_t StartPartUntilStopped(const std::string& machine, const std::string& file,
                              const std::vector<std::string>& env) {
    Remember(machine, file);
    std::vector<std::string> all = env_;
    all.insert(all.end(), env.begin(), env.end());
    return StartUntilStopped(
        InMachine(machine, {TopoBinary(), "up", "--machine", machine, "--prefix", prefix_, file}),
        all);
  }
  // SIGKILLs a process StartPartUntilStopped returned, and reaps it.
  static void Kill(pid_t pid) {
    ASSERT_GT(pid, 0);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
  }

  // The part's record name: LAB@MACHINE.
  std::string PartName(const std::string& lab, const std::string& machine) const {
    return prefix_ + lab + "@" + machine;
  }

  // Nothing of the nodes `nodes` (namespaces, /etc/netns entries), no record
  // of the part, and nothing in the machine but its loopback and underlay.
  void ExpectPartGone(const std::string& lab, const std::string& machine,
                      const std::vector<std::string>& nodes, const std::string& where) {
    for (const std::string& node : nodes) {
      EXPECT_FALSE(Exists("/run/netns/" + prefix_ + node)) << where << ": namespace " << node;
      EXPECT_FALSE(Exists("/etc/netns/" + prefix_ + node)) << where << ": /etc/netns " << node;
    }
    EXPECT_FALSE(Exists(state_dir_ + "/labs/" + PartName(lab, machine)))
        << where << ": the record of " << PartName(lab, machine);
    EXPECT_EQ(Links(Find(machine).ns), (std::set<std::string>{"lo", "ul0"})) << where;
  }

  // The namespace of node `node` exists.
  bool NodeUp(const std::string& node) const { return Exists("/run/netns/" + prefix_ + node); }

  static bool Exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
  }

  // The names of the links of namespace `ns`.
  std::set<std::string> Links(const std::string& ns) {
    std::set<std::string> names;
    std::istringstream lines(Ip(ns, {"-o", "link", "show"}).output);
    for (std::string line; std::getline(lines, line);) {
      // "2: ul0@if3: <...": the name ends at '@' or ':'.
      const size_t from = line.find(": ");
      if (from == std::string::npos) continue;
      const size_t to = line.find_first_of("@:", from + 2);
      names.insert(line.substr(from + 2, to - from - 2));
    }
    return names;
  }

  // `ip -n NS ARGS`: the test's own plumbing, never topo's.
  ProcessResult Ip(const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {"ip", "-n", ns});
    return RunProcess(args);
  }

  // CleanUp takes machine's part of `file` down (for parts something else,
  // such as a playbook, brings up).
  void Remember(const std::string& machine, const std::string& file) {
    for (const auto& part : parts_) {
      if (part.first == machine && part.second == file) return;
    }
    parts_.push_back({machine, file});
  }

  std::vector<Machine> machines_;
  std::string underlay_;  // the bridge's namespace (three machines or more)

 private:
  std::vector<std::string> InMachine(const std::string& machine, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"nsenter", "--net=/run/netns/" + Find(machine).ns});
    return argv;
  }
  std::vector<std::string> Down(const std::string& machine, const std::string& file) const {
    return {"down", "--machine", machine, "--prefix", prefix_, file};
  }

  // The machine reaches nothing but the underlay: no default route, and no
  // route that is not on ul0 (the only link besides lo) or lo.
  void ExpectIsolated(const Machine& m) {
    EXPECT_EQ(Links(m.ns), (std::set<std::string>{"lo", "ul0"})) << m.ns;
    for (const char* family : {"-4", "-6"}) {
      std::istringstream routes(Ip(m.ns, {family, "route", "show"}).output);
      for (std::string route; std::getline(routes, route);) {
        EXPECT_EQ(route.rfind("default", 0), std::string::npos) << m.ns << ": " << route;
        const bool local =
            route.find("dev ul0") != std::string::npos || route.find("dev lo") != std::string::npos;
        EXPECT_TRUE(local) << m.ns << ": " << route;
      }
    }
  }

  std::vector<std::pair<std::string, std::string>> parts_;  // (machine, file) brought up
};

}  // namespace topo::testing
