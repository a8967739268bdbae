// Build (build.h) for the `checks:` section: each entry becomes a
// DeclaredCheck, kept as written. What the schema already rejects (wrong types,
// unknown keys) is skipped quietly; values only Build can read (addresses, the
// timeout) are reported at the value. Cross references (does `from` name a
// node?) are Check's business (check_checks.cc).
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "front/build.h"

namespace topo {

std::optional<int> ParseDurationMs(const std::string& text) {
  std::string number = text;
  double scale = 1000;
  if (number.ends_with("ms")) {
    number.resize(number.size() - 2);
    scale = 1;
  } else if (number.ends_with("s")) {
    number.resize(number.size() - 1);
  }
  if (number.empty()) return std::nullopt;
  for (char c : number) {
    if (!(c >= '0' && c <= '9') && c != '.') return std::nullopt;
  }
  char* end = nullptr;
  double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v)) return std::nullopt;
  double ms = v * scale;
  if (ms > 1e9) return 1'000'000'000;  // far out of range; Check says so
  return static_cast<int>(std::llround(ms));
}

std::optional<int> ParsePort(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 65535) return std::nullopt;
  return v;
}

namespace {

// Whether `n` is a scalar that is not a number: a program's name (`tcp: web`).
bool IsName(const YAML::Node& n) {
  if (!IsScalar(n) || n.Scalar().empty()) return false;
  const char c = n.Scalar()[0];
  return !(c >= '0' && c <= '9') && c != '-' && c != '+';
}

DeclaredCheck BuildCheck(const YAML::Node& body, const std::string& ptr, DiagnosticList* diags) {
  DeclaredCheck c;
  c.src = SourceOf(body, ptr);
  const YAML::Node name = Field(body, ptr, "name", &c.name_src);
  const YAML::Node from = Field(body, ptr, "from", &c.from_src);
  const YAML::Node to = Field(body, ptr, "to", &c.to_src);
  const YAML::Node source = Field(body, ptr, "source", &c.source_src);
  const YAML::Node listen = Field(body, ptr, "listen", &c.listen_src);
  const YAML::Node timeout = Field(body, ptr, "timeout", &c.timeout_src);
  const YAML::Node within = Field(body, ptr, "within", &c.within_src);
  const YAML::Node family = Field(body, ptr, "family", &c.family_src);
  if (IsScalar(family) && (family.Scalar() == "4" || family.Scalar() == "6")) {
    c.family = family.Scalar()[0] - '0';  // anything else is the schema's to report
  }
  if (IsScalar(name)) c.name = name.Scalar();
  if (IsScalar(from)) c.from = from.Scalar();
  if (IsScalar(to)) {
    c.to = to.Scalar();
    c.to_address = ParseIp(c.to);
  }
  const YAML::Node tcp = body["tcp"], udp = body["udp"];
  if (tcp.IsDefined()) {
    c.kind = ProbeKind::kTcp;
    c.port_src = SourceOf(tcp, ptr + "/tcp");
    c.port = ParsePort(tcp).value_or(0);
    if (IsName(tcp)) c.port_program = tcp.Scalar();
  }
  if (udp.IsDefined()) {
    if (tcp.IsDefined()) {
      c.tcp_and_udp = true;
    } else {
      c.kind = ProbeKind::kUdp;
      c.port_src = SourceOf(udp, ptr + "/udp");
      c.port = ParsePort(udp).value_or(0);
      if (IsName(udp)) c.port_program = udp.Scalar();
    }
  }
  if (IsScalar(source)) {
    if (auto a = ParseIp(source.Scalar())) {
      c.source = *a;
      if (c.kind == ProbeKind::kPing) c.kind = ProbeKind::kUdp;  // any free port
    } else {
      diags->Error(LocationOf(source), ptr + "/source",
                   "source '" + source.Scalar() + "' is not a valid IPv4 or IPv6 address",
                   source.Scalar().find('/') != std::string::npos
                       ? "a source is a single address, without a prefix length"
                       : "");
    }
  }
  if (IsScalar(body["expect"])) c.expect_success = body["expect"].Scalar() != "failure";
  if (IsScalar(listen)) c.listen = listen.Scalar() != "false";
  if (IsScalar(timeout)) {
    if (auto ms = ParseDurationMs(timeout.Scalar())) {
      c.timeout_ms = *ms;
    } else {
      diags->Error(LocationOf(timeout), ptr + "/timeout",
                   "timeout '" + timeout.Scalar() + "' is not a duration",
                   "write seconds (1.5) or a duration like 500ms or 2s");
    }
  }
  if (IsScalar(within)) {
    if (auto ms = ParseDurationMs(within.Scalar())) {
      c.within_ms = *ms;
    } else {
      diags->Error(LocationOf(within), ptr + "/within",
                   "within '" + within.Scalar() + "' is not a duration",
                   "write seconds (30) or a duration like 500ms or 30s");
    }
  }
  return c;
}

// `tcp: PROGRAM`: the port of that program's readiness, when node `to` has
// such a program ready on a port of the check's protocol (Check reports the
// check otherwise); topo does not listen there unless `listen` says so.
void ResolveProgramPort(const Topology& t, DeclaredCheck* c) {
  if (c->port_program.empty()) return;
  const Node* n = t.FindNode(c->to);
  const Program* p = n ? n->FindProgram(c->port_program) : nullptr;
  if (!p) return;
  const Readiness::Kind want =
      c->kind == ProbeKind::kTcp ? Readiness::Kind::kTcp : Readiness::Kind::kUdp;
  if (p->ready.kind != want || p->ready.port == 0) return;
  c->port = p->ready.port;
  if (c->listen_src.loc.line == 0) c->listen = false;
}

}  // namespace

const char* ProbeKindName(ProbeKind k) {
  switch (k) {
    case ProbeKind::kPing:
      return "ping";
    case ProbeKind::kTcp:
      return "tcp";
    case ProbeKind::kUdp:
      return "udp";
  }
  return "?";
}

void BuildChecks(const Document& doc, Topology* t, DiagnosticList* diags) {
  const YAML::Node& root = doc.root;
  if (!root.IsMap()) return;
  const YAML::Node checks = root["checks"];
  if (!checks.IsDefined() || !checks.IsSequence()) return;
  for (size_t i = 0; i < checks.size(); ++i) {
    const YAML::Node body = checks[i];
    if (!body.IsMap()) continue;  // the schema reports it
    t->checks.push_back(BuildCheck(body, PointerJoin("/checks", std::to_string(i)), diags));
    ResolveProgramPort(*t, &t->checks.back());
  }
}

}  // namespace topo
