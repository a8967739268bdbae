// Lab operations: what `topo up`, `down`, `status` and `exec` do, as a library.
// They combine the StateStore (journal, lock, ownership) with a Backend, so the
// command-line layer and test fixtures share one implementation.
//
// Promises: Up touches the kernel only after the lab is registered and every
// namespace name is known to be free; a failed or interrupted Up leaves nothing
// behind. Down removes only what the lab's journal names, and is idempotent;
// before it removes anything it ends every program an earlier topo ran for
// the lab (iptables-restore of a killed `up`) that still runs (lab/children.h).
// Both hold the lab's lock for their whole run (the store-wide one only while
// names change owners: lab/state.h).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernel/backend.h"
#include "lab/apply.h"
#include "lab/observer.h"
#include "lab/state.h"
#include "lab/teardown.h"
#include "plan/plan.h"

namespace topo {

struct UpOptions {
  const std::atomic<bool>* cancel = nullptr;
  LabObserver* observer = nullptr;  // each action, and the rollback's (lab/observer.h)
  std::function<Status(const Plan&)> before_programs;  // see ApplyOptions
};

struct UpResult {
  Status status;
  ApplyResult apply;
};

// Refuses (AlreadyExists) when the lab is up or any of its namespace names is
// taken, naming the owner: "namespace 'server' belongs to lab 'other'".
// For a lab attached to the root namespace, also refuses root-side interface
// names the host already has, host-side addresses and routes that overlap the
// host's own, root-side interface names another lab of the store has
// registered (it may not have made them yet), and root sysctls another lab
// has set to another value (RootClashes).
Status CheckCollisions(const Plan& plan, Backend& backend, const StateStore& store);

// The reasons a lab's root-namespace objects cannot be added to this host,
// each naming the clash: "host-side address 192.0.2.10/24 on 'veth0' overlaps
// 192.0.2.2/24 on eth0, which the host already has". Empty when there are none
// (or the lab does not attach to the root namespace).
std::vector<std::string> RootClashes(const Plan& plan, Backend& backend, const StateStore& store);

UpResult Up(const Plan& plan, Backend& backend, StateStore& store, const UpOptions& options = {});

struct DownResult {
  Status status;
  bool was_up = false;        // false: the lab was not up, nothing to do
  bool was_complete = false;  // false: `up` had not finished (crashed or still running)
  TeardownReport report;
  // What was wrong with the lab's record (LabRecord::damage): everything it
  // still names was removed where found, and the rest could not be verified.
  std::vector<std::string> damage;
  bool plan_known = true;  // false: plan.json was lost; the host side is not known
  // What the record names that still exists after the teardown, so the record
  // stays (status is then an error): "namespace 'a-h1'".
  std::vector<std::string> remains;
  // Programs an earlier topo ran for the lab (iptables-restore of a killed
  // `up`) that were still running, ended before anything was removed
  // (lab/children.h).
  size_t ended_children = 0;
};

struct DownOptions {
  LabObserver* observer = nullptr;  // each action as the teardown goes (lab/observer.h)
  // Checked once, when the lab's lock is held, before anything is removed
  // (the wait for the lock itself ends on a signal topo catches: state.h);
  // once the removal has begun it finishes whatever the flag says.
  const std::atomic<bool>* cancel = nullptr;
  // The plan compiled again from the topology file `down FILE` was given: it
  // stands in for a lost or corrupt plan.json of the same lab and namespaces.
  const Plan* fallback_plan = nullptr;
};

DownResult Down(const std::string& lab, Backend& backend, StateStore& store,
                const DownOptions& options = {});

// One declared program of a lab that is up, as `topo status` shows it.
struct ProgramStatus {
  std::string node, name;
  enum class State { kNotStarted, kRunning, kExited, kKilled, kGone };
  State state = State::kNotStarted;
  pid_t pid = 0;  // kRunning
  int code = 0;   // kExited: the exit status; kKilled: the signal
  bool ready = false;
  // "running (pid 123)", "exited with status 1", "killed by signal 9", "not started", "gone"
  std::string Describe() const;
  // "not-started", "running", "exited", "killed", "gone"
  static const char* StateName(State s);
};

struct LabStatus {
  std::string lab;
  bool complete = false;
  Plan plan;
  std::vector<NamespaceState> namespaces;
  std::vector<std::string>
      drift;  // "namespace 'server' is gone", "interface 'router:veth-cli' is gone"
  // The current impairments, "ns:ifname" -> impairment, as the journal records them.
  std::map<std::string, Impairment> impairments;
  std::vector<ProgramStatus> programs;  // in plan order
};

Status GetLabStatus(const std::string& lab, Backend& backend, const StateStore& store,
                    LabStatus* out);

// The namespace of `node`, in `lab` or, when lab is empty, in the one lab that
// has such a node (among labs brought up with `prefix`, when it is given).
// Sets *lab_out to the lab found, and *node_out (if given) to the node's name
// (`node` may also be given as its namespace name). The root node (kind root,
// the host itself) is found too, with *ns_out set to "" (the root namespace).
Status FindNodeNamespace(const StateStore& store, const std::string& lab, const std::string& node,
                         std::string* lab_out, std::string* ns_out,
                         const std::optional<std::string>& prefix = std::nullopt,
                         std::string* node_out = nullptr);

// The labs that are up and were compiled from the topology named `topology`
// in `file` (under any prefix): what `topo down FILE` means when the lab of
// FILE without a prefix is not up. A lab whose recorded file cannot be found
// from here (a relative path given elsewhere) matches by topology name alone.
std::vector<std::string> LabsFromFile(const StateStore& store, const std::string& topology,
                                      const std::string& file);

}  // namespace topo
