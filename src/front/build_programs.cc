// Build (build.h) for what runs in a node: `dirs`, `files` and `programs`,
// kept as written with the source of every value. What the schema rejects
// (wrong types, unknown keys) is skipped quietly. Values only Build can read
// are reported here: durations, file modes, and `from:` files, which are read
// now, below the topology's directory (front/read_beneath.h), so that the
// plan holds their content. Cross references (`after`, paths, placeholders)
// are Check's (rules_programs.cc).
#include "front/build.h"
#include "front/read_beneath.h"

namespace topo {
namespace {

// A `from:` file is part of the topology; it is bounded like one.
constexpr size_t kMaxFromBytes = 1 << 20;

bool IsMapNode(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsSeqNode(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

// A duration value into *ms; reported when it does not parse.
void Duration(const YAML::Node& n, const std::string& ptr, const std::string& what, int* ms,
              DiagnosticList* diags) {
  if (!IsScalar(n)) return;
  if (auto v = ParseDurationMs(n.Scalar())) {
    *ms = *v;
  } else {
    diags->Error(LocationOf(n), ptr, what + " '" + n.Scalar() + "' is not a duration",
                 "write seconds (2) or a duration like 500ms or 10s");
  }
}

// "0640", "640" -> 0640; nullopt for anything else (no setuid, setgid or sticky bits).
std::optional<int> ParseMode(const std::string& s) {
  std::string digits = s;
  if (digits.size() == 4 && digits[0] == '0') digits.erase(0, 1);
  if (digits.size() != 3) return std::nullopt;
  int mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + (c - '0');
  }
  return mode;
}

void BuildFile(const YAML::Node& key, const YAML::Node& body, const std::string& ptr,
               const std::string& base_dir, Node* node, DiagnosticList* diags) {
  NodeFile f;
  f.path = key.Scalar();
  f.src = SourceOf(key, ptr);
  if (IsScalar(body)) {
    f.content = body.Scalar();
    f.content_src = SourceOf(body, ptr);
    node->files.push_back(std::move(f));
    return;
  }
  if (!IsMapNode(body)) return;  // the schema reports it
  const YAML::Node content = body["content"], from = body["from"], mode = body["mode"];
  f.content_src = SourceOf(content, ptr + "/content");
  f.from_src = SourceOf(from, ptr + "/from");
  f.mode_src = SourceOf(mode, ptr + "/mode");
  if (IsScalar(body["substitute"])) f.substitute = body["substitute"].Scalar() != "false";
  if (IsScalar(mode)) {
    if (auto m = ParseMode(mode.Scalar())) {
      f.mode = *m;
    } else {
      diags->Error(LocationOf(mode), ptr + "/mode",
                   "mode '" + mode.Scalar() + "' of file '" + f.path + "' is not permission bits",
                   "write three octal digits as a string, e.g. \"0644\" or \"0600\"");
    }
  }
  if (content.IsDefined() && from.IsDefined()) {
    diags->Error(LocationOf(from), ptr + "/from",
                 "file '" + f.path + "' has both 'content' and 'from'",
                 "give its content inline or name a file next to the topology, not both");
  } else if (!content.IsDefined() && !from.IsDefined()) {
    diags->Error(LocationOf(body), ptr, "file '" + f.path + "' has neither 'content' nor 'from'",
                 "give its content inline (content: ...) or name a file (from: PATH)");
  }
  if (IsScalar(content)) f.content = content.Scalar();
  if (IsScalar(from) && !content.IsDefined()) {
    f.from = from.Scalar();
    std::string problem = RelativePathProblem(f.from);
    if (problem.empty()) problem = ReadBeneath(base_dir, f.from, kMaxFromBytes, &f.content);
    if (!problem.empty()) {
      diags->Error(LocationOf(from), ptr + "/from",
                   "cannot use 'from: " + f.from + "' for file '" + f.path + "': " + problem,
                   "'from' names a file in the topology's directory or below it, relative to "
                   "that directory, reached without '..' or symbolic links; at most 1 MiB");
    }
  }
  node->files.push_back(std::move(f));
}

// A list of scalars into `values` and `sources`.
void Strings(const YAML::Node& list, const std::string& ptr, std::vector<std::string>* values,
             std::vector<Source>* sources) {
  if (!IsSeqNode(list)) return;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!IsScalar(list[i])) continue;
    values->push_back(list[i].Scalar());
    sources->push_back(SourceOf(list[i], PointerJoin(ptr, std::to_string(i))));
  }
}

constexpr const char* kReadyKinds[] = {"tcp", "udp", "file", "command", "log"};

void BuildReadiness(const YAML::Node& body, const std::string& ptr, Program* p,
                    DiagnosticList* diags) {
  p->ready_src = SourceOf(body, ptr);
  if (!IsMapNode(body)) return;
  for (const char* kind : kReadyKinds) {
    const YAML::Node v = body[kind];
    if (!v.IsDefined()) continue;
    p->ready_kinds.emplace_back(kind);
    if (p->ready_kinds.size() > 1) continue;  // Check reports it; the first one counts
    const std::string vptr = ptr + "/" + kind;
    p->ready_value_src = SourceOf(v, vptr);
    const std::string k = kind;
    Readiness& r = p->ready;
    if (k == "tcp" || k == "udp") {
      r.kind = k == "tcp" ? Readiness::Kind::kTcp : Readiness::Kind::kUdp;
      r.port = ParsePort(v).value_or(0);
    } else if (k == "file") {
      r.kind = Readiness::Kind::kFile;
      if (IsScalar(v)) r.path = v.Scalar();
    } else if (k == "command") {
      r.kind = Readiness::Kind::kCommand;
      Strings(v, vptr, &r.command, &p->ready_command_sources);
    } else {
      r.kind = Readiness::Kind::kLogLine;
      if (IsScalar(v)) r.text = v.Scalar();
    }
  }
  const YAML::Node timeout = body["timeout"];
  p->ready_timeout_src = SourceOf(timeout, ptr + "/timeout");
  Duration(timeout, ptr + "/timeout", "readiness timeout", &p->ready.timeout_ms, diags);
}

void BuildProgram(const YAML::Node& body, const std::string& ptr, Node* node,
                  DiagnosticList* diags) {
  Program p;
  p.src = SourceOf(body, ptr);
  if (!IsMapNode(body)) return;
  const YAML::Node name = Field(body, ptr, "name", &p.name_src);
  const YAML::Node run = Field(body, ptr, "run", &p.run_src);
  const YAML::Node cwd = Field(body, ptr, "cwd", &p.cwd_src);
  const YAML::Node user = Field(body, ptr, "user", &p.user_src);
  const YAML::Node stop = Field(body, ptr, "stop_timeout", &p.stop_timeout_src);
  Strings(run, ptr + "/run", &p.argv, &p.argv_sources);
  if (IsScalar(name)) {
    p.name = name.Scalar();
    p.name_given = true;
  } else if (!p.argv.empty()) {
    const std::string& exe = p.argv[0];
    p.name = exe.substr(exe.rfind('/') == std::string::npos ? 0 : exe.rfind('/') + 1);
  }
  const YAML::Node env = body["env"];
  if (IsMapNode(env)) {
    for (const auto& kv : env) {
      if (!IsScalar(kv.first) || !IsScalar(kv.second)) continue;
      p.env.emplace_back(kv.first.Scalar(), kv.second.Scalar());
      p.env_sources.push_back(SourceOf(kv.second, PointerJoin(ptr + "/env", kv.first.Scalar())));
    }
  }
  if (IsScalar(cwd)) p.cwd = cwd.Scalar();
  if (IsScalar(user)) p.user = user.Scalar();
  Strings(body["after"], ptr + "/after", &p.after, &p.after_sources);
  if (body["ready"].IsDefined()) BuildReadiness(body["ready"], ptr + "/ready", &p, diags);
  Duration(stop, ptr + "/stop_timeout", "stop_timeout", &p.stop_timeout_ms, diags);
  node->programs.push_back(std::move(p));
}

}  // namespace

std::string BaseDirectory(const Document& doc) {
  if (doc.file.empty() || doc.file == kStdinPath || doc.file == kStdinName) return ".";
  const size_t slash = doc.file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : doc.file.substr(0, slash);
}

void BuildNodeRuntime(const YAML::Node& body, const std::string& ptr, const std::string& base_dir,
                      Node* node, DiagnosticList* diags) {
  const YAML::Node dirs = body["dirs"];
  if (IsSeqNode(dirs)) {
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (!IsScalar(dirs[i])) continue;
      node->dirs.push_back(NodeDir{
          dirs[i].Scalar(), SourceOf(dirs[i], PointerJoin(ptr + "/dirs", std::to_string(i)))});
    }
  }
  const YAML::Node files = body["files"];
  if (IsMapNode(files)) {
    for (const auto& kv : files) {
      if (!IsScalar(kv.first)) continue;
      BuildFile(kv.first, kv.second, PointerJoin(ptr + "/files", kv.first.Scalar()), base_dir, node,
                diags);
    }
  }
  const YAML::Node programs = body["programs"];
  if (IsSeqNode(programs)) {
    for (size_t i = 0; i < programs.size(); ++i) {
      BuildProgram(programs[i], PointerJoin(ptr + "/programs", std::to_string(i)), node, diags);
    }
  }
}

}  // namespace topo
