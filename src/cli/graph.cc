// topo graph FILE [--format dot|svg|png|mermaid] [-o OUT]: draw the lab.
#include <filesystem>
#include <iostream>

#include "cli/common.h"
#include "kernel/find_program.h"
#include "kernel/netns.h"
#include "kernel/output_file.h"
#include "plan/graph.h"

namespace topo::cli {

namespace {

// Runs Graphviz's `dot` (an argv, no shell) on the DOT text, rendering `format`
// (svg or png); false with a message on failure.
bool RunDot(const std::string& dot, const std::string& format, std::string* out) {
  std::optional<std::string> program = FindProgram("dot");
  if (!program) {
    PrintError("--format " + format +
               " needs Graphviz's `dot`, which is not installed (Debian: apt-get install "
               "graphviz); --format dot writes the text it would read");
    return false;
  }
  int status = RunInNamespace(-1, {*program, "-q", "-T" + format}, dot, out);
  if (status != 0) {
    PrintError(*program + " failed (status " + std::to_string(status) + "): " + *out);
    return false;
  }
  return true;
}

// The format an output file's name asks for, or "" when its extension says nothing topo writes.
std::string FormatOfName(const std::string& name) {
  const std::string ext = std::filesystem::path(name).extension().string();
  if (ext == ".svg" || ext == ".png") return ext.substr(1);
  if (ext == ".mmd" || ext == ".mermaid") return "mermaid";
  if (ext == ".dot" || ext == ".gv") return "dot";
  return "";
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
                  "dot (default), svg or png (run Graphviz's dot) or mermaid; "
                  "without it, the -o name's extension chooses (.dot, .gv, .svg, .png, .mmd)")
      ->check(CLI::IsMember({"dot", "svg", "png", "mermaid"}));
  cmd->add_option("-o,--output", o->out, "Write to this file instead of standard output");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  return {cmd, [o]() -> int {
            LoadRequest request;
            request.file = o->file;
            request.compile = false;
            request.allowed_host_routes = o->allowed_host_routes;
            std::optional<Loaded> loaded = LoadOrReport(request);
            if (!loaded) return kExitInvalid;
            const Topology& t = *loaded->topology;
            std::string format = o->format;
            if (format.empty() && !o->out.empty() && o->out != "-") {
              format = FormatOfName(o->out);
              if (format.empty()) {
                PrintError("cannot tell which format '" + o->out +
                           "' should be from its name: name it .dot, .gv, .svg, .png or .mmd, or "
                           "give --format");
                return kExitInvalid;
              }
            }
            if (format.empty()) format = "dot";
            std::string text = format == "mermaid" ? GraphToMermaid(t) : GraphToDot(t);
            if ((format == "svg" || format == "png") && !RunDot(std::string(text), format, &text)) {
              return kExitFailure;
            }
            if (o->out.empty() || o->out == "-") {
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
