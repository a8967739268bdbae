// Declared checks, resolved and run. A topology's `checks:` (DeclaredCheck,
// topology.h) are resolved against the topology and its prefix into
// CheckSpecs: plain values naming namespaces and addresses, which need neither
// the topology nor the file any more (so they are stored with a lab that is up,
// and `topo test --lab` runs them later). RunChecks runs specs against the
// kernel, all of them at once (probe.h), and returns one CheckResult each.
//
// Nothing here prints or exits. RunChecks opens sockets inside the lab's
// namespaces from a helper thread; the calling thread never changes namespace.
// The node of kind root has no namespace of its own: its namespace is "" (as
// an Action's ns, plan.h), which RunChecks takes to be the calling thread's,
// the one topo started in. It never looks up a namespace by that node's name.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/ip.h"
#include "model/status.h"
#include "model/topology.h"

namespace topo {

// A check ready to run.
struct CheckSpec {
  std::string name;  // the declared name, or one made up: "ping server -> 2.2.2.2"
  ProbeKind kind = ProbeKind::kPing;
  std::string from_node, from_ns;  // from_ns "": the host's namespace (the root node)
  std::string to;                  // as declared: a node name or an address
  IpAddress target;
  bool listens = false;                // topo listens at the target (tcp/udp)
  std::string listen_node, listen_ns;  // where; listen_ns "": the host's namespace
  int port = 0;                        // tcp/udp; 0 with udp: any free port
  std::optional<IpAddress> source;     // the probe must arrive from this address
  bool expect_success = true;
  int timeout_ms = 1000;
  int within_ms = 0;  // retried until it passes, for at most this long (0: run once)
  // A lab across machines, a tcp check whose target is on another machine:
  // the listener is topo's on that machine (`listens` is false here), and
  // the probe tells it which check it is (AcrossToken, sockets.h).
  std::string listen_machine;
  // The other side of such a check, on the target's machine: topo only
  // listens for it (ServeChecks); it is none of this machine's results.
  bool serve = false;
  std::string from_machine;  // serve: the machine the check runs on
};

// The `within` of a tcp check across machines that declares none: the parts
// run their checks at about the same time, so the probe retries until topo
// on the other machine listens.
constexpr int kAcrossWithinMs = 30000;

// What came of one check.
struct CheckResult {
  std::string name;
  bool passed = false;
  bool probe_succeeded = false;  // the probe got through (with the right source, if one was asked)
  std::string detail;  // "reply from 2.2.2.2", "connection refused", "timed out after 1 s"
  double seconds = 0;  // how long the probe took (with `within`: until it passed, or gave up)
  int attempts = 1;    // more than one: a check with `within` that was retried
};

// The name a check gets when it declares none.
std::string DefaultCheckName(const DeclaredCheck& c);

// Resolves every declared check of a valid topology (Check has vouched for the
// references) with the topology's prefix applied. With `machine` (a lab
// across machines), the checks whose `from` node is on that machine, then
// (`serve`) the tcp checks of other machines that topo listens for on it.
std::vector<CheckSpec> ResolveChecks(const Topology& t, const std::string& machine = "");

// Takes the specs to serve (`serve`) out of `specs`, and returns them.
std::vector<CheckSpec> TakeServed(std::vector<CheckSpec>* specs);

nlohmann::json CheckSpecsToJson(const std::vector<CheckSpec>& specs);
Status CheckSpecsFromJson(const nlohmann::json& j, std::vector<CheckSpec>* out);

struct RunChecksOptions {
  const std::atomic<bool>* cancel = nullptr;  // checked every few milliseconds
  std::string netns_dir = "/run/netns";
  size_t max_parallel = 256;  // checks in flight at once (each holds a few file descriptors)
};

// Runs every check; results are in the order of `specs`. A check with
// `within_ms` that fails is run again (a pause of 200 ms between attempts,
// each attempt's timeout cut to the time left) until it passes or `within_ms`
// has passed since the run began; its result is the last attempt's, with the
// time since the run began and the number of attempts. Fails as a whole only
// when it cannot run at all (a namespace is gone, interrupted); a probe that
// does not get through is a result, not an error.
Status RunChecks(const std::vector<CheckSpec>& specs, const RunChecksOptions& options,
                 std::vector<CheckResult>* results);

// What came of serving one check of another machine.
struct ServedResult {
  std::string name;
  bool listening = false;  // topo's listener for it opened (else `detail` says why not)
  bool arrived = false;    // its probe connected and said which check it is
  std::string detail;  // "connected from 10.0.0.1", "cannot listen on ...", "nothing arrived ..."
};

// Listens at the targets of `served` (checks of other machines, `serve`),
// accepting connections and reading which check each is, until each check's
// probe has arrived, or the longest `within_ms` of them has passed since the
// start and `busy` (this machine's own checks still running) is not set;
// results are in the order of `served`. Fails as a whole only when it cannot
// run at all (a namespace is gone, interrupted); a listener that cannot open
// is a result.
Status ServeChecks(const std::vector<CheckSpec>& served, const RunChecksOptions& options,
                   const std::atomic<bool>* busy, std::vector<ServedResult>* results);

}  // namespace topo
