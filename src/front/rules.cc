// Check (check.h): runs each semantic check in turn, and holds the name rules
// (lab, prefix, namespace and interface names), the sysctl checks and the helpers
// the other check files share. Link and address checks are in check_links.cc,
// route and snat checks in check_routes.cc, switch and root node checks in
// check_kinds.cc.
#include "front/rules.h"

#include <cstdio>

#include "front/rules_internal.h"
#include "model/diagnostic.h"

namespace topo {
namespace check_internal {
namespace {

// Namespace names become files under /run/netns and parts of topo's own state
// file names. Linux allows up to 255 bytes (NAME_MAX); we allow 64 so that the
// derived names ("<namespace>.journal" and the like) stay far below that limit
// and `ip netns list` stays readable.
constexpr size_t kMaxNamespaceName = 64;
// IFNAMSIZ is 16, including the terminating NUL.
constexpr size_t kMaxInterfaceName = 15;

bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool IsSafeFileChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string Hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", c);
  return buf;
}

// Why the byte `c` is not allowed, as a sentence: "';' is not allowed".
std::string ByteNotAllowed(unsigned char c) {
  if (c == 0) return "a NUL byte is not allowed";
  if (IsSpace(c)) return "whitespace is not allowed";
  if (c < 0x20 || c == 0x7f) return "control character " + Hex(c) + " is not allowed";
  if (c >= 0x80) return "non-ASCII characters are not allowed";
  return "'" + std::string(1, static_cast<char>(c)) + "' is not allowed";
}

constexpr const char* kSafeNameHint =
    "use letters, digits, '_', '.' and '-', not starting with '-' or '.'";

// Checks `part` (a node name or the lab name) as it appears in a file name:
// prefix + part when the prefix is sound, `part` alone when it is not (the
// prefix has then been reported once, at the prefix).
void CheckComposedName(const Topology& t, bool prefix_ok, const std::string& what,
                       const std::string& part_what, const std::string& part, const Source& src,
                       const std::string& hint, DiagnosticList* diags) {
  const bool composed = prefix_ok && !t.prefix.empty();
  const std::string full = composed ? t.prefix + part : part;
  const std::string problem = NamespaceNameProblem(full);
  if (problem.empty()) return;
  std::string subject = what + " " + Quote(full);
  if (composed) {
    subject += " (prefix " + Quote(t.prefix) + " + " + part_what + " " + Quote(part) + ")";
  }
  ErrorAt(diags, src, subject + " is not a safe file name: " + problem, hint);
}

}  // namespace

void CheckNames(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  const std::string prefix_problem = t.prefix.empty() ? "" : NamespaceNameProblem(t.prefix);
  if (!prefix_problem.empty()) {
    ErrorAt(diags, t.prefix_src,
            "prefix " + Quote(t.prefix) + " is not safe in namespace names: " + prefix_problem,
            kSafeNameHint);
  }
  const bool prefix_ok = prefix_problem.empty();
  if (!t.name.empty()) {  // a missing name is the schema's to report
    CheckComposedName(t, prefix_ok, "lab name", "name", t.name, Prefer(t.name_src, t.src),
                      std::string("the lab name is used in file names; ") + kSafeNameHint, diags);
  }
  for (const Node& n : t.nodes) {
    CheckComposedName(
        t, prefix_ok, "namespace name", "node", n.name, n.src,
        std::string("node names become namespace names, files under /run/netns; ") + kSafeNameHint,
        diags);
    for (const Interface& i : n.interfaces) {
      const std::string problem = InterfaceNameProblem(i.name);
      if (problem.empty()) continue;
      ErrorAt(diags, i.src, "interface name " + Quote(i.name) + " " + problem,
              "use at most 15 letters, digits, '_', '.' or '-', not starting with '-'");
    }
  }
}

void CheckSysctls(const LabIndex& lab, DiagnosticList* diags) {
  constexpr const char* kEscape = ", which could lead outside /proc/sys/net";
  for (const Node& n : lab.topology().nodes) {
    for (const Sysctl& s : n.sysctls) {
      const std::string subject = "sysctl " + Quote(s.key);
      for (unsigned char c : s.key) {
        if (IsSafeFileChar(c)) continue;
        if (c == '/') {
          ErrorAt(diags, s.src, subject + " contains '/'" + kEscape,
                  "write the name with dots, e.g. net.ipv4.ip_forward");
        } else {
          ErrorAt(diags, s.src, subject + " is not a valid sysctl name: " + ByteNotAllowed(c));
        }
        break;
      }
      if (s.key.find("..") != std::string::npos) {
        ErrorAt(diags, s.src, subject + " contains '..'" + kEscape);
      } else if (!s.key.empty() && (s.key.front() == '.' || s.key.back() == '.')) {
        ErrorAt(diags, s.src, subject + " is not a valid sysctl name: it starts or ends with '.'");
      }
      if (s.key.rfind("net.", 0) != 0) {
        ErrorAt(diags, s.src, subject + " is outside net.",
                "only network sysctls (net.*) are per namespace; others would change the host");
      }
      bool blank = true;
      for (unsigned char c : s.value) blank = blank && IsSpace(c);
      if (blank) {
        ErrorAt(diags, Prefer(s.value_src, s.src), subject + " has an empty value",
                "give the value to write, e.g. 0 or 1");
      } else if (std::string problem = UnprintableProblem(s.value, /*allow_tabs=*/true);
                 !problem.empty()) {
        ErrorAt(diags, Prefer(s.value_src, s.src),
                subject + " has an unprintable value: " + problem,
                "values are numbers or words separated by spaces, e.g. 4096 87380 6291456");
      }
    }
  }
}

std::string UnprintableProblem(std::string_view s, bool allow_tabs) {
  if (EscapeForTerminal(s, allow_tabs) == s) return "";
  for (unsigned char c : s) {
    if ((c < 0x20 && !(allow_tabs && c == '\t')) || c == 0x7f) {
      return "control character " + Hex(c) + " is not allowed";
    }
  }
  return "invalid UTF-8, C1 controls and bidirectional overrides are not allowed";
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

const Source& Prefer(const Source& specific, const Source& fallback) {
  return specific.loc.line > 0 ? specific : fallback;
}

void ErrorAt(DiagnosticList* diags, const Source& src, std::string message, std::string hint) {
  diags->Error(src.loc, src.pointer, std::move(message), std::move(hint));
}

void WarningAt(DiagnosticList* diags, const Source& src, std::string message, std::string hint) {
  diags->Warning(src.loc, src.pointer, std::move(message), std::move(hint));
}

std::string FamilyName(int family) { return family == 6 ? "IPv6" : "IPv4"; }

std::vector<std::string> NodeNames(const Topology& t) {
  std::vector<std::string> names;
  for (const Node& n : t.nodes) names.push_back(n.name);
  return names;
}

std::vector<std::string> InterfaceNames(const Node& n, bool with_lo) {
  std::vector<std::string> names;
  for (const Interface& i : n.interfaces) {
    if (with_lo || i.name != "lo") names.push_back(i.name);
  }
  return names;
}

std::string Qualified(const Node& n, const Interface& i) { return n.name + ":" + i.name; }

bool IsRoutable(const IpAddress& a) {
  return !IsUnspecified(a) && !IsLoopback(a) && !IsMulticast(a) && !IsLinkLocal6(a);
}

LabIndex::LabIndex(const Topology& t) : t_(t) {
  for (const Node& n : t.nodes) nodes_.emplace(n.name, &n);
  for (const Link& l : t.links) {
    peers_.emplace(std::make_pair(l.a.node, l.a.interface), &l.b);
    peers_.emplace(std::make_pair(l.b.node, l.b.interface), &l.a);
  }
}

const Node* LabIndex::FindNode(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second;
}

const Interface* LabIndex::FindEndpoint(const Endpoint& e) const {
  const Node* n = FindNode(e.node);
  return n ? n->FindInterface(e.interface) : nullptr;
}

const Endpoint* LabIndex::PeerOf(const std::string& node, const std::string& ifname) const {
  auto it = peers_.find({node, ifname});
  return it == peers_.end() ? nullptr : it->second;
}

}  // namespace check_internal

std::string NamespaceNameProblem(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (name == "." || name == "..") return "'" + name + "' is not allowed";
  for (unsigned char c : name) {
    if (!check_internal::IsSafeFileChar(c)) return check_internal::ByteNotAllowed(c);
  }
  if (name[0] == '-' || name[0] == '.') return "it starts with '" + name.substr(0, 1) + "'";
  if (name.size() > check_internal::kMaxNamespaceName) {
    return "it is longer than " + std::to_string(check_internal::kMaxNamespaceName) + " bytes";
  }
  return "";
}

std::string InterfaceNameProblem(const std::string& name) {
  // The kernel's dev_valid_name(), plus '%' (which dev_get_valid_name() takes as
  // a template: "eth%d" becomes eth0, eth1 ...) and NUL (which would cut the name).
  if (name.empty()) return "is empty";
  if (name.size() > check_internal::kMaxInterfaceName) {
    return "is longer than " + std::to_string(check_internal::kMaxInterfaceName) +
           " bytes (the kernel's limit)";
  }
  if (name == "." || name == "..") return "is '" + name + "', which the kernel does not allow";
  if (name == "all" || name == "default") {
    return "is '" + name + "', which /proc/sys/net/*/conf/ reserves (creating it fails)";
  }
  for (unsigned char c : name) {
    if (c == '/' || c == ':') {
      return "contains '" + std::string(1, static_cast<char>(c)) +
             "', which the kernel does not allow";
    }
    if (check_internal::IsSpace(c)) return "contains whitespace, which the kernel does not allow";
    if (c == '%') return "contains '%', which the kernel would take as a name template";
    if (c == 0) return "contains a NUL byte";
  }
  // The kernel would take more, but names also reach iptables-restore input,
  // `topo plan --format shell` scripts and terminals: allow only what no shell,
  // parser or terminal reads as anything but a name.
  for (unsigned char c : name) {
    if (check_internal::IsSafeFileChar(c)) continue;
    if (c < 0x20 || c == 0x7f) return "contains control character " + check_internal::Hex(c);
    if (c >= 0x80) return "contains non-ASCII characters, which are not allowed";
    return "contains '" + std::string(1, static_cast<char>(c)) + "', which is not allowed";
  }
  if (name[0] == '-') return "starts with '-', which is not allowed";
  return "";
}

void Check(const Topology& topology, DiagnosticList* diags) {
  using namespace check_internal;
  const LabIndex lab(topology);
  CheckNames(lab, diags);
  CheckLinks(lab, diags);
  CheckAddresses(lab, diags);
  CheckLinkSubnets(lab, diags);
  CheckMtus(lab, diags);
  CheckMacs(lab, diags);
  CheckRoutes(lab, diags);
  CheckSnat(lab, diags);
  CheckFirewall(lab, diags);
  CheckSysctls(lab, diags);
  CheckSwitches(lab, diags);
  CheckVlans(lab, diags);
  CheckInterfaceKinds(lab, diags);
  CheckRootNodes(lab, diags);
  CheckMachines(lab, diags);
  CheckImpairments(lab, diags);
  CheckDns(lab, diags);
  CheckDeclaredChecks(lab, diags);
  CheckPrograms(lab, diags);
}

}  // namespace topo
