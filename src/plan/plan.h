// A Plan is the compiled form of a topology: an ordered list of kernel actions
// that, applied front to back, build the lab; each action has an inverse, and
// the inverses applied back to front remove it. A plan is plain data: it prints
// as text, JSON and an equivalent iproute2/iptables shell script, compares
// equal in tests, and is stored in the lab's journal so `down` can undo it
// without the topology file.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/status.h"
#include "plan/action.h"

namespace topo {

// How a namespace is shown to people: its name, or "(root)" for "".
std::string NamespaceLabel(const std::string& ns);

// One-line descriptions: "create veth server:vethS <-> router:veth-srv",
// and for the inverse "delete veth server:vethS <-> router:veth-srv".
std::string Describe(const Action& a);
std::string DescribeInverse(const Action& a);

struct Plan {
  std::string lab;       // prefix + topology name
  std::string topology;  // the topology's name
  std::string prefix;
  std::string source_file;              // where it was compiled from, for messages
  std::vector<std::string> namespaces;  // every namespace the lab owns, in creation order
  std::vector<Action> actions;
};

// For each action of `plan`, whether teardown can skip its inverse because
// removing the namespaces that `touched` actions created, or deleting a veth
// pair, removes what it made: everything inside a removed namespace; a veth
// pair with an end in one, unless its other end is in the root namespace
// (such a pair is deleted explicitly, so that the host end is gone when
// teardown returns rather than when the kernel gets round to freeing the
// namespace); and the addresses, MTU, MAC and link state of a root-side veth
// end. Routes, sysctls, SNAT and firewall rules in the root namespace are never moot.
std::vector<bool> MootActions(const Plan& plan, const std::vector<bool>& touched);

nlohmann::json ActionToJson(const Action& a);
Status ActionFromJson(const nlohmann::json& j, Action* out);
nlohmann::json PlanToJson(const Plan& plan);
Status PlanFromJson(const nlohmann::json& j, Plan* out);
// The text of PlanToJson(plan).dump(1) + "\n", handed to `sink` in pieces
// (an action at a time), so that a big plan is never whole in memory as JSON:
// the state store writes plan.json this way (star 10000: 90000 actions, which
// as one JSON tree and its text took ~140 MB).
void WritePlanJson(const Plan& plan, const std::function<void(std::string_view)>& sink);
// PlanFromJson of the JSON text read from `in`, each action made as it is read
// and its JSON dropped: the whole plan is never a JSON tree in memory (what
// `status` and `down` read of a big lab). InvalidArgument when the text is
// not JSON or not a plan.
Status ReadPlanJson(std::FILE* in, Plan* out);

// Human text: a numbered list of actions, grouped by stage.
std::string FormatPlanText(const Plan& plan);
// A bash script of the equivalent `ip`, `sysctl`, `iptables` and `tc` commands; with
// `teardown`, the script that removes the lab.
std::string FormatPlanShell(const Plan& plan, bool teardown);
// The shell commands of one action (and its inverse), for the script above.
std::vector<std::string> ActionToShell(const Action& a);
std::vector<std::string> InverseToShell(const Action& a);

// Whether the action's SNAT rules are IPv6 (ip6tables) or IPv4.
bool SnatIsIpv6(const Action& a);

}  // namespace topo
