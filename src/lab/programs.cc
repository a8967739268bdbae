#include "lab/programs.h"

#include <chrono>
#include <thread>

namespace topo {
namespace {

using Clock = std::chrono::steady_clock;

std::string Duration(int ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// What the program's readiness waits for: "tcp port 80 listening".
std::string Awaited(const Readiness& r) {
  switch (r.kind) {
    case Readiness::Kind::kNone:
      return "started";
    case Readiness::Kind::kTcp:
      return "tcp port " + std::to_string(r.port) + " listening";
    case Readiness::Kind::kUdp:
      return "udp port " + std::to_string(r.port) + " bound";
    case Readiness::Kind::kFile:
      return "file '" + r.path + "' existing";
    case Readiness::Kind::kCommand: {
      std::string cmd;
      for (const std::string& w : r.command) cmd += (cmd.empty() ? "" : " ") + w;
      return "command '" + cmd + "' exiting 0";
    }
    case Readiness::Kind::kLogLine:
      return "a line of output containing '" + r.text + "'";
  }
  return "?";
}

std::string WithLog(const std::string& message, NodeRuntime& runtime, const Action& a) {
  std::string tail = runtime.ProgramLogTail(a, 10);
  if (tail.empty()) return message + "; it wrote no output";
  std::string out = message + "; the last lines of its output:";
  size_t start = 0;
  while (start < tail.size()) {
    size_t nl = tail.find('\n', start);
    if (nl == std::string::npos) nl = tail.size();
    out += "\n  | " + tail.substr(start, nl - start);
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string ProgramLabel(const Action& a) { return a.node + "/" + a.program().name; }

ProgramsResult RunPrograms(const Plan& plan, const std::vector<size_t>& indices,
                           NodeRuntime& runtime, const ProgramsOptions& options) {
  ProgramsResult result;
  const size_t n = indices.size();
  std::map<std::string, size_t> by_label;
  for (size_t k = 0; k < n; ++k) by_label[ProgramLabel(plan.actions[indices[k]])] = k;
  // Dependencies, as positions in `indices`.
  std::vector<std::vector<size_t>> deps(n);
  std::map<std::string, size_t> last_of_node;
  for (size_t k = 0; k < n; ++k) {
    const Action& a = plan.actions[indices[k]];
    if (auto it = last_of_node.find(a.node); it != last_of_node.end())
      deps[k].push_back(it->second);
    last_of_node[a.node] = k;
    for (const std::string& after : a.program().after) {
      const std::string label = after.find('/') == std::string::npos ? a.node + "/" + after : after;
      auto it = by_label.find(label);
      if (it == by_label.end()) {
        result.status = Status::InvalidArgument("program '" + ProgramLabel(a) +
                                                "' starts after unknown program '" + after + "'");
        result.failed_index = indices[k];
        return result;
      }
      deps[k].push_back(it->second);
    }
  }
  enum class State { kPending, kStarted, kReady };
  std::vector<State> state(n, State::kPending);
  std::vector<Clock::time_point> started_at(n);
  size_t ready_count = 0;
  auto fail = [&](size_t k, Status s) {
    result.status = std::move(s);
    result.failed_index = indices[k];
    return result;
  };
  while (ready_count < n) {
    if (options.cancel && options.cancel->load()) {
      result.status = Status::Interrupted("interrupted while starting the lab's programs");
      return result;
    }
    bool moved = false;
    size_t running = 0;
    for (size_t k = 0; k < n; ++k) {
      if (state[k] != State::kPending) {
        if (state[k] == State::kStarted) ++running;
        continue;
      }
      bool can = true;
      for (size_t d : deps[k]) can = can && state[d] == State::kReady;
      if (!can) continue;
      const size_t i = indices[k];
      const Action& a = plan.actions[i];
      std::string note;
      Status s = runtime.SpawnProgram(i, a, &note);
      if (!s.ok()) {
        return fail(k, Status::IOError("program '" + ProgramLabel(a) +
                                       "' could not be started: " + s.message()));
      }
      result.started[i] = note;
      // Journaled before it runs: a `down` after a crash finds it.
      if (options.journal) {
        if (Status js = options.journal->Before(i, note); !js.ok()) {
          runtime.AbandonProgram(i);
          return fail(k, js);
        }
      }
      if (s = runtime.ReleaseProgram(i); !s.ok()) {
        return fail(k, Status::IOError("program '" + ProgramLabel(a) +
                                       "' could not be started: " + s.message()));
      }
      state[k] = State::kStarted;
      started_at[k] = Clock::now();
      ++running;
      moved = true;
    }
    if (running == 0 && ready_count < n) {
      return fail(0, Status::InvalidArgument("the programs' `after` dependencies form a cycle"));
    }
    const auto now = Clock::now();
    for (size_t k = 0; k < n; ++k) {
      if (state[k] != State::kStarted) continue;
      const size_t i = indices[k];
      const Action& a = plan.actions[i];
      std::string why;
      NodeRuntime::Progress p = runtime.CheckProgram(i, a, &why);
      if (p == NodeRuntime::Progress::kExited) {
        return fail(k, Status::IOError(WithLog("program '" + ProgramLabel(a) + "' " + why +
                                                   " before it was ready (waiting for " +
                                                   Awaited(a.program().ready) + ")",
                                               runtime, a)));
      }
      if (p == NodeRuntime::Progress::kWaiting) {
        if (now - started_at[k] > std::chrono::milliseconds(a.program().ready.timeout_ms)) {
          return fail(
              k, Status::IOError(WithLog("program '" + ProgramLabel(a) + "' was not ready within " +
                                             Duration(a.program().ready.timeout_ms) +
                                             " (waiting for " + Awaited(a.program().ready) + ")",
                                         runtime, a)));
        }
        continue;
      }
      state[k] = State::kReady;
      ++ready_count;
      moved = true;
      result.ready.push_back(i);
      if (options.journal) {
        if (Status js = options.journal->Done(i, result.started[i]); !js.ok()) return fail(k, js);
      }
      if (options.observer) {
        ActionEvent e;
        e.step = ActionEvent::Step::kApply;
        e.index = i;
        e.action = &a;
        e.duration =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_at[k]);
        e.handled = options.handled_before + ready_count;
        e.total = plan.actions.size();
        options.observer->OnAction(e);
      }
    }
    if (!moved && ready_count < n) std::this_thread::sleep_for(options.poll);
  }
  return result;
}

}  // namespace topo
