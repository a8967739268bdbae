// topo graph FILE [--format dot|svg|mermaid] [-o OUT]: draw the lab.
#include <iostream>

#include "cli/common.h"
#include "kernel/find_program.h"
#include "kernel/netns.h"
#include "kernel/output_file.h"
#include "plan/graph.h"

namespace topo::cli {

namespace {

// Runs Graphviz's `dot` (an argv, no shell) on the DOT text; false with a message on failure.
bool DotToSvg(const std::string& dot, std::string* svg) {
  std::optional<std::string> program = FindProgram("dot");
  if (!program) {
    PrintError(
        "--format svg needs Graphviz's `dot`, which is not installed (Debian: apt-get install "
        "graphviz); --format dot writes the text it would read");
    return false;
  }
  int status = RunInNamespace(-1, {*program, "-q", "-Tsvg"}, dot, svg);
  if (status != 0) {
    PrintError(*program + " failed (status " + std::to_string(status) + "): " + *svg);
    return false;
  }
  return true;
}

}  // namespace

Verb RegisterGraph(CLI::App& app) {
  auto* cmd = app.add_subcommand("graph", "Draw a lab as Graphviz DOT, SVG or Mermaid");
  struct Opts {
    std::string file, format, out;
    std::vector<Prefix> allowed_host_routes;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--format", o->format,
                  "dot (default), svg (runs Graphviz's dot) or mermaid; "
                  "without it, an -o name ending in .svg or .mmd chooses")
      ->check(CLI::IsMember({"dot", "svg", "mermaid"}));
  cmd->add_option("-o,--output", o->out, "Write to this file instead of standard output");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  return {
      cmd, [o]() -> int {
        LoadRequest request;
        request.file = o->file;
        request.compile = false;
        request.allowed_host_routes = o->allowed_host_routes;
        std::optional<Loaded> loaded = LoadOrReport(request);
        if (!loaded) return kExitInvalid;
        const std::optional<Topology>& t = loaded->topology;
        std::string format = o->format;
        if (format.empty()) {
          format = o->out.ends_with(".svg") ? "svg" : o->out.ends_with(".mmd") ? "mermaid" : "dot";
        }
        std::string text = format == "mermaid" ? GraphToMermaid(*t) : GraphToDot(*t);
        if (format == "svg" && !DotToSvg(std::string(text), &text)) {
          return kExitFailure;
        }
        if (o->out.empty()) {
          std::cout << text;
          return kExitOk;
        }
        if (Status s = WriteOutputFile(o->out, text); !s.ok()) {
          PrintError("cannot write the graph: " + s.message());
          return kExitFailure;
        }
        return kExitOk;
      }};
}

}  // namespace topo::cli
