// Load reads a topology file into a YAML tree whose nodes keep their
// file:line:col. Besides YAML syntax errors it reports what yaml-cpp silently
// accepts: duplicate mapping keys. It also enforces resource bounds (file size,
// nesting depth, alias expansion) so hostile input is rejected quickly.
#pragma once

#include <cstddef>
#include <string>

#include <yaml-cpp/yaml.h>

#include "model/diagnostic.h"

namespace topo {

struct Document {
  std::string file;  // as given by the user; used in diagnostics
  std::string text;  // the whole source, for quoting lines in diagnostics
  YAML::Node root;
};

// Every bound is documented in docs/TRUST.md and can be raised (or lowered)
// through the environment: see LoadLimitsFromEnvironment.
struct LoadLimits {
  size_t max_bytes = 16 << 20;    // file size
  int max_depth = 64;             // nesting of mappings and sequences
  size_t max_nodes = 1'000'000;   // YAML nodes after alias expansion ("billion laughs")
  size_t max_lab_nodes = 10'000;  // entries under `nodes:` (namespaces the lab would create)
};

// The defaults, overridden by TOPO_MAX_BYTES, TOPO_MAX_DEPTH, TOPO_MAX_YAML_NODES
// and TOPO_MAX_NODES when set. A value that is not a positive decimal number
// leaves *error set ("TOPO_MAX_NODES='lots' is not a positive number").
LoadLimits LoadLimitsFromEnvironment(std::string* error);

// Parses `text`. Returns false when there is no usable tree (syntax error,
// limit exceeded); duplicate keys are reported as errors but the tree is kept.
bool LoadText(const std::string& file, std::string text, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits = {});
// The path "-" means standard input, which diagnostics, messages and the
// plan name "<stdin>" (InputName); paths in the text (`files: {from: ...}`)
// then resolve against the current directory.
inline constexpr const char* kStdinPath = "-";
inline constexpr const char* kStdinName = "<stdin>";
// How messages name the input `path`: "<stdin>" for "-", else the path.
std::string InputName(const std::string& path);

// Reads and parses a file ("-" reads standard input).
bool LoadFile(const std::string& path, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits = {});

// 1-based line:column of a node (0:0 for a node that has no mark).
Location LocationOf(const YAML::Node& node);

// Appends a JSON pointer token, escaping '~' and '/' as RFC 6901 asks.
std::string PointerJoin(const std::string& base, const std::string& token);

}  // namespace topo
