// The order in which a lab's programs start: each program waits for the
// previous program of its node (the written order) and for the programs its
// `after` names ("NODE/PROGRAM", or "PROGRAM" of the same node). Pure
// functions of the Topology, shared by validation (unknown names, cycles) and
// compilation (the order of kStartProgram actions).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/topology.h"

namespace topo {

// A program of a lab: t.nodes[node].programs[program].
struct ProgramRef {
  size_t node = 0;
  size_t program = 0;
  bool operator==(const ProgramRef&) const = default;
};

// Every program of the lab, in node order and then written order; with
// `index`, also where each (node, program) pair stands in that list.
std::vector<ProgramRef> AllPrograms(const Topology& t,
                                    std::map<std::pair<size_t, size_t>, size_t>* index = nullptr);

// An `after` entry of a program of node `n`, split: {"r2", "zebra"} for
// "r2/zebra", {n.name, "zebra"} for "zebra". nullopt when it has more than
// one '/' or an empty part.
std::optional<std::pair<std::string, std::string>> SplitAfter(const Node& n,
                                                              const std::string& entry);

// What one program waits for, each with the index of the `after` entry that
// says so (-1: the previous program of its node). Entries that name no
// program of the lab are left out (validation reports them).
struct ProgramDependency {
  ProgramRef on;
  int after_index = -1;
};
std::vector<ProgramDependency> Dependencies(const Topology& t, ProgramRef p);

// Every program of the lab in an order where each comes after what it waits
// for; among those free to go, node order and then written order (stable).
// Programs in a cycle, and those waiting on them, are left out.
std::vector<ProgramRef> StartOrder(const Topology& t);

}  // namespace topo
