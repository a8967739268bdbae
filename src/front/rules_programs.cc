// The semantic checks of what runs in a node: only hosts and routers have
// private directories, files and programs; every path is absolute, normalised
// and outside what topo and the kernel own; private directories do not nest
// and no file stands where a directory is; program names are unique in their
// node and safe in file names; `after` names programs that exist and the
// programs do not wait for each other in a cycle; readiness names exactly one
// condition; placeholders ({{node}}, {{addr r1:eth0}}) resolve; and a check's
// `tcp: PROGRAM` names a program ready on a TCP port.
#include <algorithm>
#include <map>
#include <set>

#include "front/rules.h"
#include "front/rules_internal.h"
#include "model/program_graph.h"
#include "model/substitute.h"

namespace topo::check_internal {
namespace {

// Where topo never puts a node's files: the kernel's, and its own and ip
// netns's bookkeeping.
constexpr const char* kForbiddenRoots[] = {"/proc",      "/sys",       "/dev",
                                           "/run/netns", "/etc/netns", "/run/topo"};

constexpr int kMaxReadyTimeoutMs = 600'000;
constexpr int kMaxStopTimeoutMs = 60'000;

bool Within(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          path[root.size()] == '/');
}

std::string Seconds(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace

// Why `path` is not a path topo may give a node ("" when it is fine).
std::string NodePathProblem(const std::string& path, bool allow_root) {
  if (path.empty()) return "it is empty";
  if (path.front() != '/') return "it is not absolute";
  if (path == "/") return allow_root ? "" : "it is '/'";
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) return "it contains a control character";
  }
  if (path.find("//") != std::string::npos) return "it has an empty component ('//')";
  if (path.back() == '/') return "it ends with '/'";
  for (size_t start = 1; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string part = path.substr(start, slash - start);
    if (part == "." || part == "..") return "it has a '" + part + "' component";
    start = slash + 1;
  }
  if (allow_root) return "";
  for (const char* root : kForbiddenRoots) {
    if (Within(path, root)) {
      return std::string("it is under ") + root +
             ", which belongs to the kernel or to topo and ip netns";
    }
  }
  return "";
}

namespace {

constexpr const char* kPathHint =
    "write an absolute path as the node's programs see it, e.g. /etc/app/app.conf, without '.', "
    "'..' or '//', outside /proc, /sys, /dev, /run/netns, /etc/netns and /run/topo";

void CheckPath(const std::string& what, const std::string& path, const Source& src,
               DiagnosticList* diags) {
  std::string problem = NodePathProblem(path);
  if (!problem.empty()) ErrorAt(diags, src, what + " " + Quote(path) + ": " + problem, kPathHint);
}

// A placeholder problem in `text` (a value at `src`), reported there.
void CheckPlaceholders(const Topology& t, const Node& n, const std::string& what,
                       const std::string& text, const Source& src, DiagnosticList* diags) {
  if (!HasPlaceholder(text)) return;
  if (auto e = Substitute(text, t, n, nullptr))
    ErrorAt(diags, src, what + ": " + e->message, e->hint);
}

bool IsEnvName(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

bool IsUserName(const std::string& s) {
  if (s.empty() || s.size() > 32 || s[0] == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  }
  return true;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

std::string ProgramSubject(const Node& n, const Program& p) {
  return "program " + Quote(p.name) + " of node " + Quote(n.name);
}

void CheckKind(const Node& n, DiagnosticList* diags) {
  if (n.dirs.empty() && n.files.empty() && n.programs.empty()) return;
  if (!n.is_switch() && !n.is_root()) return;
  const Source& at = !n.dirs.empty()    ? n.dirs[0].src
                     : !n.files.empty() ? n.files[0].src
                                        : n.programs[0].src;
  if (n.is_switch()) {
    ErrorAt(diags, at,
            "node " + Quote(n.name) +
                " is a switch: only hosts and routers have files, private directories and programs",
            "run the program in a host linked to the switch");
  } else {
    ErrorAt(diags, at,
            "node " + Quote(n.name) +
                " is the host itself (kind root): only hosts and routers have files, private "
                "directories and programs",
            "topo runs programs in lab namespaces only; use a host node, or start it yourself "
            "(`topo run`)");
  }
}

void CheckFilesAndDirs(const Topology& t, const Node& n, DiagnosticList* diags) {
  std::map<std::string, const NodeDir*> dirs;
  for (const NodeDir& d : n.dirs) {
    CheckPath("private dir", d.path, d.src, diags);
    auto [it, fresh] = dirs.emplace(d.path, &d);
    if (!fresh) {
      ErrorAt(diags, d.src,
              "private dir " + Quote(d.path) + " is already listed at line " +
                  std::to_string(it->second->src.loc.line));
    }
  }
  for (const NodeDir& d : n.dirs) {
    for (const NodeDir& other : n.dirs) {
      if (&other == &d || other.path == d.path || !Within(d.path, other.path)) continue;
      ErrorAt(diags, d.src,
              "private dir " + Quote(d.path) + " is inside private dir " + Quote(other.path),
              "a private dir is empty at up, with everything below it: list only " +
                  Quote(other.path) + " and let the program make " + Quote(d.path));
      break;
    }
  }
  for (const NodeFile& f : n.files) {
    CheckPath("file", f.path, f.src, diags);
    if (dirs.count(f.path)) {
      ErrorAt(diags, f.src,
              "file " + Quote(f.path) + " is also a private dir of node " + Quote(n.name));
    }
    for (const NodeDir& d : n.dirs) {
      if (d.path != f.path && Within(d.path, f.path)) {
        ErrorAt(diags, f.src,
                "file " + Quote(f.path) + " is where private dir " + Quote(d.path) + " would be");
        break;
      }
    }
    for (const NodeFile& other : n.files) {
      if (other.path != f.path && Within(other.path, f.path)) {
        ErrorAt(diags, f.src,
                "file " + Quote(f.path) + " is where file " + Quote(other.path) + " would be",
                "a path is either a file or a directory");
        break;
      }
    }
    if (f.substitute) {
      CheckPlaceholders(t, n, "file " + Quote(f.path), f.content,
                        Prefer(Prefer(f.content_src, f.from_src), f.src), diags);
    }
  }
}

void CheckReadiness(const Topology& t, const Node& n, const Program& p, DiagnosticList* diags) {
  if (p.ready_src.loc.line == 0) return;  // no `ready`: ready once started
  const std::string subject = "readiness of " + ProgramSubject(n, p);
  if (p.ready_kinds.empty()) {
    ErrorAt(diags, p.ready_src, subject + " names no condition",
            "give one of tcp: PORT, udp: PORT, file: PATH, command: [ARGV] or log: TEXT");
    return;
  }
  if (p.ready_kinds.size() > 1) {
    std::string list;
    for (const std::string& k : p.ready_kinds) list += (list.empty() ? "'" : ", '") + k + "'";
    ErrorAt(diags, p.ready_src, subject + " names " + list + ": give exactly one condition",
            "to wait for several things, use command: [sh, -c, \"...\"]");
  }
  const Readiness& r = p.ready;
  const Source& at = Prefer(p.ready_value_src, p.ready_src);
  switch (r.kind) {
    case Readiness::Kind::kFile:
      CheckPath(subject + ": file", r.path, at, diags);
      break;
    case Readiness::Kind::kCommand:
      if (r.command.empty() || r.command[0].empty()) {
        ErrorAt(diags, at, subject + ": the command is empty",
                "give an argv list, e.g. [test, -S, /run/app.sock]");
      }
      for (size_t i = 0; i < r.command.size(); ++i) {
        const Source& src = i < p.ready_command_sources.size() ? p.ready_command_sources[i] : at;
        if (HasNul(r.command[i])) ErrorAt(diags, src, subject + ": the command holds a NUL byte");
        CheckPlaceholders(t, n, subject, r.command[i], src, diags);
      }
      break;
    case Readiness::Kind::kLogLine:
      if (r.text.empty()) {
        ErrorAt(diags, at, subject + ": the log text is empty",
                "give the text a line must contain");
      }
      break;
    default:
      break;
  }
  if (r.timeout_ms < 1) {
    ErrorAt(diags, Prefer(p.ready_timeout_src, p.ready_src),
            subject + ": timeout is shorter than 1 ms");
  } else if (r.timeout_ms > kMaxReadyTimeoutMs) {
    ErrorAt(diags, Prefer(p.ready_timeout_src, p.ready_src),
            subject + ": timeout " + Seconds(r.timeout_ms) + " is longer than 600s",
            "`up` waits at most 10 minutes for a program");
  }
}

void CheckAfter(const LabIndex& lab, const Node& n, const Program& p, DiagnosticList* diags) {
  for (size_t k = 0; k < p.after.size(); ++k) {
    const std::string& entry = p.after[k];
    const Source& at = k < p.after_sources.size() ? p.after_sources[k] : p.src;
    auto split = SplitAfter(n, entry);
    if (!split) {
      ErrorAt(diags, at, "'after' entry " + Quote(entry) + " is not NODE/PROGRAM or PROGRAM",
              "e.g. r2/zebra, or zebra for a program of the same node");
      continue;
    }
    const Node* other = lab.FindNode(split->first);
    if (!other) {
      ErrorAt(diags, at,
              "unknown node " + Quote(split->first) + " in 'after' of " + ProgramSubject(n, p) +
                  DidYouMean(split->first, NodeNames(lab.topology())),
              "'after' names NODE/PROGRAM");
      continue;
    }
    if (!other->FindProgram(split->second)) {
      std::vector<std::string> names;
      for (const Program& q : other->programs) names.push_back(q.name);
      ErrorAt(diags, at,
              "node " + Quote(other->name) + " has no program " + Quote(split->second) +
                  DidYouMean(split->second, names),
              names.empty() ? "node " + Quote(other->name) + " runs no programs"
                            : "a program's name is its 'name', or the last part of run[0]");
      continue;
    }
    if (other == &n && split->second == p.name) {
      ErrorAt(diags, at, ProgramSubject(n, p) + " waits for itself in 'after'");
    }
  }
}

void CheckProgram(const LabIndex& lab, const Node& n, const Program& p, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  const std::string subject = ProgramSubject(n, p);
  if (!p.name.empty()) {
    if (std::string problem = NamespaceNameProblem(p.name); !problem.empty()) {
      ErrorAt(diags, Prefer(p.name_src, p.run_src),
              "program name " + Quote(p.name) + " is not a safe file name: " + problem,
              p.name_given ? "program names name their log files; use letters, digits, '_', '.' "
                             "and '-', not starting with '-' or '.'"
                           : "give the program a 'name' (its log file is named after it)");
    }
  }
  if (!p.argv.empty() && p.argv[0].empty()) {
    ErrorAt(diags, Prefer(p.argv_sources[0], p.run_src), subject + ": run[0] is empty",
            "run[0] is the program to start, a path or a name looked up in PATH");
  }
  for (size_t i = 0; i < p.argv.size(); ++i) {
    const Source& src = i < p.argv_sources.size() ? p.argv_sources[i] : p.run_src;
    if (HasNul(p.argv[i])) ErrorAt(diags, src, subject + ": argument holds a NUL byte");
    CheckPlaceholders(t, n, subject, p.argv[i], src, diags);
  }
  std::set<std::string> env_names;
  for (size_t i = 0; i < p.env.size(); ++i) {
    const auto& [name, value] = p.env[i];
    const Source& src = i < p.env_sources.size() ? p.env_sources[i] : p.src;
    if (!IsEnvName(name)) {
      ErrorAt(diags, src, subject + ": " + Quote(name) + " is not an environment variable name",
              "use letters, digits and '_', not starting with a digit");
    }
    if (HasNul(value))
      ErrorAt(diags, src, subject + ": the value of " + Quote(name) + " holds a NUL byte");
    CheckPlaceholders(t, n, subject, value, src, diags);
  }
  if (std::string problem = NodePathProblem(p.cwd, /*allow_root=*/true); !problem.empty()) {
    ErrorAt(diags, Prefer(p.cwd_src, p.src), subject + ": cwd " + Quote(p.cwd) + ": " + problem,
            "write an absolute path, e.g. /var/lib/app");
  }
  if (!p.user.empty() && !IsUserName(p.user)) {
    ErrorAt(diags, Prefer(p.user_src, p.src),
            subject + ": " + Quote(p.user) + " is not a user name",
            "write a user name (frr) or a numeric uid (1000)");
  }
  CheckAfter(lab, n, p, diags);
  CheckReadiness(t, n, p, diags);
  if (p.stop_timeout_ms < 0 || p.stop_timeout_ms > kMaxStopTimeoutMs) {
    ErrorAt(diags, Prefer(p.stop_timeout_src, p.src),
            subject + ": stop_timeout " + Seconds(p.stop_timeout_ms) + " is longer than 60s",
            "`down` waits this long before SIGKILL; at most 60s");
  }
}

// Programs that wait for each other in a cycle: each cycle is reported once,
// at the `after` entry (or program) that closes it, naming it in full.
void CheckCycles(const Topology& t, DiagnosticList* diags) {
  std::map<std::pair<size_t, size_t>, size_t> index;
  std::vector<ProgramRef> all = AllPrograms(t, &index);
  if (all.empty()) return;
  std::vector<std::vector<ProgramDependency>> deps(all.size());
  for (size_t k = 0; k < all.size(); ++k) deps[k] = Dependencies(t, all[k]);
  auto name = [&](size_t k) {
    return t.nodes[all[k].node].name + "/" + t.nodes[all[k].node].programs[all[k].program].name;
  };
  enum Color { kWhite, kGrey, kBlack };
  std::vector<Color> color(all.size(), kWhite);
  std::vector<size_t> path;  // the grey programs, outermost first
  // Iterative depth-first search: (program, next dependency to visit).
  for (size_t start = 0; start < all.size(); ++start) {
    if (color[start] != kWhite) continue;
    std::vector<std::pair<size_t, size_t>> stack{{start, 0}};
    color[start] = kGrey;
    path.push_back(start);
    while (!stack.empty()) {
      auto& [k, next] = stack.back();
      if (next == deps[k].size()) {
        color[k] = kBlack;
        path.pop_back();
        stack.pop_back();
        continue;
      }
      const ProgramDependency& d = deps[k][next++];
      const size_t on = index[{d.on.node, d.on.program}];
      if (color[on] == kWhite) {
        color[on] = kGrey;
        path.push_back(on);
        stack.emplace_back(on, 0);
        continue;
      }
      if (color[on] != kGrey) continue;
      // k waits for `on`, which (through the path) waits for k: a cycle.
      if (on == k) continue;  // waits for itself: reported by CheckAfter
      std::string text;
      auto first = std::find(path.begin(), path.end(), on);
      for (auto it = first; it != path.end(); ++it) text += name(*it) + " -> ";
      text += name(on);
      // The path runs from a program to what it waits for: on -> ... -> k -> on.
      const Program& prog = t.nodes[all[k].node].programs[all[k].program];
      const Source& at =
          d.after_index >= 0 && static_cast<size_t>(d.after_index) < prog.after_sources.size()
              ? prog.after_sources[static_cast<size_t>(d.after_index)]
              : prog.src;
      ErrorAt(diags, at, "programs wait for each other in a cycle: " + text,
              "'a -> b' means a waits for b: for the program before it in its node, and for "
              "those its 'after' names; drop one 'after' of the cycle");
    }
  }
}

void CheckProgramPorts(const LabIndex& lab, DiagnosticList* diags) {
  for (const DeclaredCheck& c : lab.topology().checks) {
    if (c.port_program.empty()) continue;
    const std::string proto = c.kind == ProbeKind::kUdp ? "udp" : "tcp";
    const std::string written = proto + ": " + c.port_program;
    const Source& at = Prefer(c.port_src, c.src);
    if (c.to_address) {
      ErrorAt(diags, at, "'" + written + "' names a program, but 'to' is an address, not a node",
              "write the node that runs the program as 'to', or give the port number");
      continue;
    }
    const Node* n = lab.FindNode(c.to);
    if (!n) continue;  // reported at `to`
    const Program* p = n->FindProgram(c.port_program);
    if (!p) {
      std::vector<std::string> names;
      for (const Program& q : n->programs) names.push_back(q.name);
      ErrorAt(diags, at,
              "node " + Quote(n->name) + " has no program " + Quote(c.port_program) +
                  DidYouMean(c.port_program, names),
              "'" + proto +
                  "' is a port number, or the name of a program of node 'to' that is "
                  "ready on a " +
                  proto + " port");
      continue;
    }
    if (c.kind == ProbeKind::kUdp) {
      ErrorAt(diags, at,
              "a udp check cannot go to program " + Quote(p->name) +
                  ": topo checks udp with a listener of its own, which the program's port "
                  "would clash with",
              "check the program with tcp, or let `up` wait for it with ready: {udp: PORT}");
      continue;
    }
    if (p->ready.kind != Readiness::Kind::kTcp) {
      ErrorAt(diags, at,
              "program " + Quote(p->name) + " of node " + Quote(n->name) +
                  " is not ready on a tcp port, so '" + written + "' has no port",
              "give the program ready: {tcp: PORT}, or write the port number");
    }
  }
}

}  // namespace

void CheckPrograms(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  for (const Node& n : t.nodes) {
    CheckKind(n, diags);
    CheckFilesAndDirs(t, n, diags);
    std::map<std::string, const Program*> names;
    for (const Program& p : n.programs) {
      CheckProgram(lab, n, p, diags);
      if (p.name.empty()) continue;
      auto [it, fresh] = names.emplace(p.name, &p);
      if (!fresh) {
        ErrorAt(diags, Prefer(p.name_src, p.run_src),
                "program name " + Quote(p.name) + " is already used in node " + Quote(n.name) +
                    " at line " + std::to_string(it->second->src.loc.line),
                p.name_given
                    ? "give each program of a node its own 'name'"
                    : "two programs run " + Quote(p.name) + ": give them names (name: ...)");
      }
    }
  }
  CheckCycles(t, diags);
  CheckProgramPorts(lab, diags);
}

}  // namespace topo::check_internal
