// Starting a plan's programs (its kStartProgram actions) and waiting until
// they are ready. A program starts once its dependencies are ready: the
// previous program of its node (the written order) and those its `after`
// names ("NODE/PROGRAM", or "PROGRAM" of the same node). Programs whose
// dependencies are ready start at once, in plan order, so that programs of
// different nodes start and get ready in parallel; one loop polls every
// started program every few milliseconds, with no sleep per program.
//
// Each program's identity is journaled ("before N PID START MPID MSTART",
// state.h) before it is released to run, and "done N ..." once it is ready.
// A program that exits before it is ready, is not ready within its timeout,
// or cannot be started fails the run: the error names the program, why, and
// the last lines of its output. The caller (Apply) then rolls back.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lab/node_runtime.h"
#include "lab/observer.h"
#include "lab/state.h"
#include "plan/plan.h"

namespace topo {

struct ProgramsResult {
  Status status;
  std::optional<size_t> failed_index;
  std::map<size_t, std::string> started;  // every program released (or spawned): index -> note
  std::vector<size_t> ready;              // in the order they became ready
};

struct ProgramsOptions {
  Journal* journal = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  LabObserver* observer = nullptr;
  size_t handled_before = 0;  // for the observer's progress
  std::chrono::milliseconds poll{2};
};

// Runs the programs at `indices` (kStartProgram actions of `plan`).
ProgramsResult RunPrograms(const Plan& plan, const std::vector<size_t>& indices,
                           NodeRuntime& runtime, const ProgramsOptions& options);

// "r1/zebra": how messages name a program.
std::string ProgramLabel(const Action& a);

}  // namespace topo
