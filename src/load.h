// Load reads a topology file into a YAML tree whose nodes keep their
// file:line:col. Besides YAML syntax errors it reports what yaml-cpp silently
// accepts: duplicate mapping keys. It also enforces resource bounds (file size,
// nesting depth, alias expansion) so hostile input is rejected quickly.
#pragma once

#include <cstddef>
#include <string>

#include <yaml-cpp/yaml.h>

#include "diagnostic.h"

namespace topo {

struct Document {
  std::string file;  // as given by the user; used in diagnostics
  std::string text;  // the whole source, for quoting lines in diagnostics
  YAML::Node root;
};

struct LoadLimits {
  size_t max_bytes = 16 << 20;   // file size
  int max_depth = 64;            // nesting of mappings and sequences
  size_t max_nodes = 1'000'000;  // nodes after alias expansion ("billion laughs")
};

// Parses `text`. Returns false when there is no usable tree (syntax error,
// limit exceeded); duplicate keys are reported as errors but the tree is kept.
bool LoadText(const std::string& file, std::string text, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits = {});
// Reads and parses a file ("-" reads standard input).
bool LoadFile(const std::string& path, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits = {});

// 1-based line:column of a node (0:0 for a node that has no mark).
Location LocationOf(const YAML::Node& node);

// Appends a JSON pointer token, escaping '~' and '/' as RFC 6901 asks.
std::string PointerJoin(const std::string& base, const std::string& token);

}  // namespace topo
