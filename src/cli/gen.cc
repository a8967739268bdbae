// topo gen SHAPE N [options]: print a generated lab (gen/gen.h) to stdout.
#include <iostream>

#include "cli/common.h"
#include "gen/gen.h"

namespace topo::cli {

Verb RegisterGen(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "gen", "Print a generated lab (star, chain, ring, tree, mesh, clos, grid) as YAML");
  struct Opts {
    std::string shape, name, prefix, family = "4", checks = "ends";
    int n = 0;
    std::optional<int> spines, hosts_per_leaf;
    bool loopbacks = false;
  };
  auto o = std::make_shared<Opts>();
  std::string shapes;
  for (const std::string& s : gen::ShapeNames()) shapes += (shapes.empty() ? "" : ", ") + s;
  cmd->add_option("shape", o->shape, "The lab's shape: " + shapes)->required();
  cmd->add_option("n", o->n,
                  "Its size: hosts (star, tree), routers (chain, ring, mesh, grid), "
                  "leaves (clos)")
      ->required();
  cmd->add_option("--name", o->name, "The lab's name (default: SHAPE and N, e.g. ring12)");
  cmd->add_option("--prefix", o->prefix, "Namespace name prefix, written as the file's `prefix`");
  cmd->add_option("--family", o->family, "Address families: 4, 6 or both (default 4)");
  cmd->add_option("--checks", o->checks,
                  "ends: every host reaches the first and last host (default); all: also the next "
                  "host, and the first host every router; none");
  cmd->add_option("--spines", o->spines, "clos: spine routers (default 2)");
  cmd->add_option("--hosts-per-leaf", o->hosts_per_leaf, "clos: hosts on each leaf (default 1)");
  cmd->add_flag("--loopbacks", o->loopbacks, "Give every router an address on `lo` (a pool)");
  return {cmd, [o]() -> int {
            gen::Options options;
            std::optional<gen::Shape> shape = gen::ParseShape(o->shape);
            if (!shape) {
              std::string names;
              for (const std::string& s : gen::ShapeNames()) names += " " + s;
              PrintError("unknown shape '" + o->shape + "'" +
                         DidYouMean(o->shape, gen::ShapeNames()) + "; the shapes are" + names);
              return kExitInvalid;
            }
            std::optional<gen::Families> families = gen::ParseFamilies(o->family);
            std::optional<gen::CheckSet> checks = gen::ParseCheckSet(o->checks);
            if (!families || !checks) {
              PrintError(!families ? "--family is 4, 6 or both, not '" + o->family + "'"
                                   : "--checks is ends, all or none, not '" + o->checks + "'");
              return kExitInvalid;
            }
            if (*shape != gen::Shape::kClos && (o->spines || o->hosts_per_leaf)) {
              PrintError(std::string(o->spines ? "--spines" : "--hosts-per-leaf") +
                         " is for clos only");
              return kExitInvalid;
            }
            options.shape = *shape;
            options.n = o->n;
            options.name = o->name;
            options.prefix = o->prefix;
            options.families = *families;
            options.checks = *checks;
            options.spines = o->spines.value_or(options.spines);
            options.hosts_per_leaf = o->hosts_per_leaf.value_or(options.hosts_per_leaf);
            options.loopbacks = o->loopbacks;
            gen::GeneratedLab lab;
            if (Status s = gen::Generate(options, &lab); !s.ok()) {
              PrintError(s.message());
              return kExitInvalid;
            }
            for (const std::string& note : lab.notes) std::cerr << "topo: note: " << note << "\n";
            std::cout << lab.yaml << std::flush;
            return std::cout ? kExitOk : kExitFailure;
          }};
}

}  // namespace topo::cli
