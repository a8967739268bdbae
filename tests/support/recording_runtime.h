// RecordingRuntime: the NodeRuntime twin for unit tests. It records every
// call as a line ("spawn r1/zebra", "release r1/zebra", "dir r1 /run/frr"),
// makes no process and no file, and answers CheckProgram from a script: a
// program is ready after `ready_after` checks (default 1), exits at once when
// named in `exits`, never gets ready when named in `never`, and fails to
// spawn when named in `spawn_fails`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lab/node_runtime.h"

namespace topo::testing {

class RecordingRuntime : public NodeRuntime {
 public:
  std::vector<std::string> calls;
  std::map<std::string, int> ready_after;  // "node/program" -> checks before it is ready
  std::set<std::string> exits, never, spawn_fails;

  Status MakeNodeDir(const Action& a) override {
    calls.push_back("dir " + a.node + " " + a.key());
    return Status::OK();
  }
  Status WriteNodeFile(const Action& a) override {
    calls.push_back("file " + a.node + " " + a.key());
    return Status::OK();
  }
  Status SpawnProgram(size_t index, const Action& a, std::string* note) override {
    const std::string label = a.node + "/" + a.program().name;
    if (spawn_fails.count(label)) return Status::IOError("no such program");
    calls.push_back("spawn " + label);
    labels_[index] = label;
    *note = std::to_string(1000 + index) + " 1 0 0";
    return Status::OK();
  }
  Status ReleaseProgram(size_t index) override {
    calls.push_back("release " + labels_[index]);
    return Status::OK();
  }
  void AbandonProgram(size_t index) override { calls.push_back("abandon " + labels_[index]); }
  Progress CheckProgram(size_t index, const Action&, std::string* why) override {
    const std::string& label = labels_[index];
    if (exits.count(label)) {
      *why = "exited with status 1";
      return Progress::kExited;
    }
    if (never.count(label)) return Progress::kWaiting;
    int& left = checks_[index];
    auto it = ready_after.find(label);
    if (++left < (it == ready_after.end() ? 1 : it->second)) return Progress::kWaiting;
    if (left == (it == ready_after.end() ? 1 : it->second)) calls.push_back("ready " + label);
    return Progress::kReady;
  }
  std::string ProgramLogTail(const Action& a, size_t) override {
    return "last words of " + a.program().name + "\n";
  }

 private:
  std::map<size_t, std::string> labels_;
  std::map<size_t, int> checks_;
};

}  // namespace topo::testing
