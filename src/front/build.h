// Build turns a loaded YAML tree into the typed Topology. It is tolerant: parts
// the schema already rejected (wrong types, unknown keys) are skipped quietly,
// so Build can run after a failed schema check and still find more problems.
// What only Build can see, values that do not parse (addresses, prefixes, MACs,
// link endpoints), it reports with the value's location.
#pragma once

#include <optional>
#include <string>

#include "front/load.h"
#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

Topology Build(const Document& doc, DiagnosticList* diags);

// Helpers shared by build.cc and build_checks.cc.
// The source of node `n` at JSON pointer `pointer`.
Source SourceOf(const YAML::Node& n, const std::string& pointer);
// The value of `key` in mapping `map` (at `pointer`), its source in *src
// (loc 0:0 when the key is absent).
YAML::Node Field(const YAML::Node& map, const std::string& pointer, const char* key, Source* src);
// Whether `n` is present and a scalar (yaml-cpp throws when an absent node is asked).
bool IsScalar(const YAML::Node& n);

// "500ms", "2s", "1.5" (seconds) -> milliseconds; nullopt when it does not
// parse (build_checks.cc).
std::optional<int> ParseDurationMs(const std::string& text);
// A port 1-65535, or nullopt.
std::optional<int> ParsePort(const YAML::Node& n);

// `pools`, `routes: auto` and interfaces' `auto` (build_auto.cc), called by Build
// after the nodes.
void BuildAutomatic(const Document& doc, Topology* topology, DiagnosticList* diags);

// `machines:` and `underlay:` (build_machines.cc), called by Build; a node's
// `machine` and a link's `vni` are Build's own.
void BuildMachines(const Document& doc, Topology* topology, DiagnosticList* diags);

// The `checks:` section (build_checks.cc), called by Build after the nodes.
void BuildChecks(const Document& doc, Topology* topology, DiagnosticList* diags);

// A node's `dirs`, `files` and `programs` (build_programs.cc), called by
// Build. `from:` files are read here, below `base_dir` (the topology's directory).
void BuildNodeRuntime(const YAML::Node& body, const std::string& ptr, const std::string& base_dir,
                      Node* node, DiagnosticList* diags);
// A node's `forward` and `firewall` (build_firewall.cc), called by Build.
void BuildNodeFirewall(const YAML::Node& body, const std::string& ptr, Node* node,
                       DiagnosticList* diags);
// An interface's `kind:` and its settings (build_ifkinds.cc), called by
// Build for an interface in long form.
void BuildInterfaceKind(const YAML::Node& body, const std::string& ptr, Interface* i,
                        DiagnosticList* diags);
// A VXLAN `remote:` that names a node becomes the `local` address of that
// node's VXLAN interface with the same VNI (left empty when there is none:
// Check reports it).
void ResolveVxlanRemotes(Topology* t);

// The directory `from:` paths of `doc` are relative to: its file's.
std::string BaseDirectory(const Document& doc);

}  // namespace topo
