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
namespace {

// "500ms", "2s", "1.5" (seconds) -> milliseconds; nullopt when it does not parse.
std::optional<int> ParseTimeoutMs(const std::string& text) {
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

std::optional<int> PortOf(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 65535) return std::nullopt;
  return v;
}

DeclaredCheck BuildCheck(const YAML::Node& body, const std::string& ptr, DiagnosticList* diags) {
  DeclaredCheck c;
  c.src = SourceOf(body, ptr);
  auto field = [&](const char* key, Source* src) {
    const YAML::Node n = body[key];
    *src = SourceOf(n, ptr + "/" + key);
    return n;
  };
  const YAML::Node name = field("name", &c.name_src);
  const YAML::Node from = field("from", &c.from_src);
  const YAML::Node to = field("to", &c.to_src);
  const YAML::Node source = field("source", &c.source_src);
  const YAML::Node listen = field("listen", &c.listen_src);
  const YAML::Node timeout = field("timeout", &c.timeout_src);
  const YAML::Node within = field("within", &c.within_src);
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
    c.port = PortOf(tcp).value_or(0);
  }
  if (udp.IsDefined()) {
    if (tcp.IsDefined()) {
      c.tcp_and_udp = true;
    } else {
      c.kind = ProbeKind::kUdp;
      c.port_src = SourceOf(udp, ptr + "/udp");
      c.port = PortOf(udp).value_or(0);
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
    if (auto ms = ParseTimeoutMs(timeout.Scalar())) {
      c.timeout_ms = *ms;
    } else {
      diags->Error(LocationOf(timeout), ptr + "/timeout",
                   "timeout '" + timeout.Scalar() + "' is not a duration",
                   "write seconds (1.5) or a duration like 500ms or 2s");
    }
  }
  if (IsScalar(within)) {
    if (auto ms = ParseTimeoutMs(within.Scalar())) {
      c.within_ms = *ms;
    } else {
      diags->Error(LocationOf(within), ptr + "/within",
                   "within '" + within.Scalar() + "' is not a duration",
                   "write seconds (30) or a duration like 500ms or 30s");
    }
  }
  return c;
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
  }
}

}  // namespace topo
