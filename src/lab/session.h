// The session path: what every verb of the command line and topo::Lab do to
// go from a topology (a file, or YAML text) to a lab that is up. Written once
// here, so the resource limits (TOPO_MAX_*, docs/TRUST.md), `--prefix auto`
// and the diagnostics summary mean the same thing everywhere.
//
//   LoadLab   file or text -> validated Topology (and compiled Plan), with the
//             limits from the environment and every diagnostic, as values
//   BringUp   a loaded lab -> a lab that is up; with the automatic prefix it
//             draws a new prefix (validating the same text again) when another
//             process took the drawn one before `up` took its lock
//
// Nothing here prints or exits: the caller decides what to show. Taking a lab
// down is lab.h's Down.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "kernel/backend.h"
#include "lab/lab.h"
#include "lab/observer.h"
#include "lab/state.h"
#include "model/diagnostic.h"
#include "model/topology.h"
#include "plan/plan.h"

namespace topo {

struct LoadRequest {
  std::string file;                   // read unless `text` is given; names the input in diagnostics
  std::optional<std::string> text;    // YAML text to use instead of reading `file`
  std::optional<std::string> prefix;  // replaces the file's; "auto" (kAutoPrefix) draws a free one
  std::vector<Prefix> allowed_host_routes;  // --allow-host-route (model/host_routes.h)
  bool strict = false;                      // warnings make the topology invalid
  bool compile = true;                      // also compile the Plan
  // A lab across machines (`machines:`): the machine whose part to compile
  // (lab/machines.h's ChooseMachine): `machine` (--machine), or when empty
  // the one whose address is assigned where topo runs, read through
  // `backend`. With `machine_here`, a named machine's address must be
  // assigned there too (`up`). Without either, the plan is the whole lab
  // on one machine (`plan` compiles every part itself).
  std::string machine;
  Backend* backend = nullptr;
  bool machine_here = false;
  // Warn when the lab may need more neighbour entries than the host's table
  // holds (derive/neighbours.h): for the verbs that bring a lab up.
  bool neighbour_warning = false;
};

struct Loaded {
  std::string file;
  std::string text;          // the topology as read, for diagnostics and for validating again
  std::string error;         // set when nothing could be tried: a bad TOPO_MAX_* value
  bool parsed = false;       // the text was read and parsed (false: the diagnostics say why)
  bool auto_prefix = false;  // the prefix was drawn (BringUp may draw again)
  DiagnosticList diags;
  std::optional<Topology> topology;  // when valid (warnings allowed unless strict)
  std::optional<Plan> plan;          // when valid and the request asked to compile
  std::string machine;               // the machine whose part `plan` is ("": the whole lab)

  bool ok() const { return topology.has_value(); }
  // "lab.yaml: 1 error, 0 warnings"
  std::string Summary() const;
  // Every diagnostic with its source line and caret, then the summary and a
  // newline; empty when there are no diagnostics.
  std::string Report() const;
};

// Reads (with the limits of LoadLimitsFromEnvironment), validates and, when
// asked, compiles. Never throws for bad input: look at ok(), error and diags.
Loaded LoadLab(const LoadRequest& request);

struct BringUpOptions {
  const std::atomic<bool>* cancel = nullptr;  // SIGINT/SIGTERM: roll back
  // Called before each attempt with the plan about to be applied (progress).
  std::function<void(const Plan&)> on_attempt;
  LabObserver* observer = nullptr;                     // each action (lab/observer.h)
  std::function<Status(const Plan&)> before_programs;  // see ApplyOptions (lab/apply.h)
  int attempts = 8;  // with the automatic prefix: how many prefixes to try
};

struct BringUpResult {
  Status status;        // ok, or why the lab is not up (the last attempt's)
  UpResult up;          // the last attempt's, with what the rollback did
  double ms = 0;        // how long the last attempt took
  std::string warning;  // the lab is up but its checks could not be stored
};

// Brings `loaded` (ok(), compiled) up through `backend` and `store`, storing its
// resolved checks with it (`topo test --lab`). With an automatic prefix, an
// attempt refused before any action because a name is taken draws a new
// prefix: *loaded then holds the topology and plan that were brought up.
BringUpResult BringUp(Loaded* loaded, Backend& backend, StateStore& store,
                      const BringUpOptions& options = {});

}  // namespace topo
