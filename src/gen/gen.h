// Generated labs: `topo gen SHAPE N` as a library. Generate writes the YAML
// text of a lab of one of a few shapes (docs/gen.md draws each): nodes and
// links only, with `pools:` and `routes: auto` for every address and route
// (docs/format.md), and `checks:` proving end-to-end reachability.
//
// Promises: the text depends on the options alone (the same options give the
// same bytes); the number of checks is linear in N; N up to 10 000 takes
// milliseconds. Bad options (N out of a shape's range, for instance) give an
// InvalidArgument status whose message says the range, and no text. Nothing
// here prints, exits or touches the machine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace topo::gen {

enum class Shape { kStar, kChain, kRing, kTree, kMesh, kClos, kGrid };
enum class CheckSet { kEnds, kAll, kNone };
enum class Families { kV4, kV6, kBoth };

// "star", "chain", ...: every shape, in the order of the Shape enum.
const std::vector<std::string>& ShapeNames();
std::optional<Shape> ParseShape(std::string_view name);
std::optional<CheckSet> ParseCheckSet(std::string_view name);  // ends, all, none
std::optional<Families> ParseFamilies(std::string_view name);  // 4, 6, both

struct Options {
  Shape shape = Shape::kStar;
  int n = 0;
  std::string name;    // the lab's name; default SHAPE + N ("ring12")
  std::string prefix;  // written as the file's `prefix:` when not empty
  Families families = Families::kV4;
  // ends: every host reaches the first and the last host; all: also each host
  // the next one, and the first host every router; none: no checks.
  CheckSet checks = CheckSet::kEnds;
  int spines = 2;          // clos: spine routers
  int hosts_per_leaf = 1;  // clos: hosts on each leaf
  bool loopbacks = false;  // a `loopbacks` pool: every router gets a /32 (/128) on `lo`
};

// What Generate made.
struct GeneratedLab {
  std::string yaml;
  size_t nodes = 0, links = 0, checks = 0;
  // Facts worth telling the user (more nodes than topo takes by default,
  // paths longer than a ping's TTL); lower case, no trailing period.
  std::vector<std::string> notes;
};

Status Generate(const Options& options, GeneratedLab* out);

}  // namespace topo::gen
