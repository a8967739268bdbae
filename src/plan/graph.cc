#include "plan/graph.h"

namespace topo {

namespace {

// Nodes by kind. Shapes are the same in both notations: a host is a rounded
// box, a router a hexagon, a switch a grey box, the host's own namespace a
// house. Kinds missing here are drawn as the first entry.
constexpr KindStyle kKindStyles[] = {
    {NodeKind::kHost, "shape=box, style=rounded", "(", ")"},
    {NodeKind::kRouter, "shape=hexagon", "{{", "}}"},
    {NodeKind::kSwitch, "shape=box, style=filled, fillcolor=\"#eeeeee\"", "[", "]"},
    {NodeKind::kRoot, "shape=house", "[/", "\\]"},
};

// An interface of a kind, in short: "vxlan 100", "macvlan on eth0", "dummy".
std::string KindLabel(const VirtualSpec& v) {
  std::string out = IfKindName(v.kind);
  if (v.kind == IfKind::kVxlan) out += " " + std::to_string(v.vni);
  if (v.kind == IfKind::kMacvlan || v.kind == IfKind::kIpvlan) out += " on " + v.parent;
  if (v.kind == IfKind::kVrf) out += " table " + std::to_string(v.table);
  return out;
}

// The lines of a node's own label: its name, its kind (unless the name says
// it already), and each interface that is not an end of a link, with its
// addresses ("lo 1.1.1.1/24").
std::vector<std::string> NodeLines(const Topology& t, const Node& n) {
  std::vector<std::string> lines = {n.name};
  std::string kind = NodeKindName(n.kind);
  if (kind != n.name) lines.push_back(kind);
  for (const Interface& i : n.interfaces) {
    bool linked = false;
    for (const Link& l : t.links) {
      linked = linked || (l.a.node == n.name && l.a.interface == i.name) ||
               (l.b.node == n.name && l.b.interface == i.name);
    }
    if (linked) continue;
    std::string line = i.name;
    // What it is, when it is not the loopback: "(dummy)", "(vlan 10)",
    // "(vxlan 100)", "(macvlan on eth0)", "(vrf table 10)".
    if (i.is_virtual()) line += " (" + KindLabel(i.virt) + ")";
    if (i.is_vlan()) line += " (vlan " + std::to_string(i.vlan) + ")";
    for (const Prefix& p : i.addresses) line += " " + p.ToString();
    lines.push_back(line);
  }
  return lines;
}

// One end of a link: the interface name, then its addresses ("vethS 10.0.1.2/24").
std::string EndLine(const Topology& t, const Endpoint& e) {
  std::string line = e.interface;
  const Node* n = t.FindNode(e.node);
  const Interface* i = n ? n->FindInterface(e.interface) : nullptr;
  if (i) {
    for (const Prefix& p : i->addresses) line += " " + p.ToString();
    // A switch port's VLANs ("p1 [access 10]").
    if (!i->port_vlans.empty()) line += " [" + i->port_vlans.ToString() + "]";
    // What this end alone sends through (its own `impair`, over the link's).
    if (i->impair.given()) line += " (sends: " + i->impair.value.ToString() + ")";
  }
  return line;
}

// A link's label: its first end, its second end, then its notes.
std::vector<std::string> LinkLines(const Topology& t, const Link& l) {
  std::vector<std::string> lines = {EndLine(t, l.a), EndLine(t, l.b)};
  for (const std::string& note : LinkNotes(l)) lines.push_back(note);
  return lines;
}

// A DOT double-quoted string holding `lines`.
std::string DotString(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\\n";
    for (char c : lines[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

// A Mermaid quoted label holding `lines`; characters Mermaid would read as
// markup become entity codes.
std::string MermaidString(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "<br/>";
    for (char c : lines[i]) {
      switch (c) {
        case '"':
          out += "#quot;";
          break;
        case '<':
          out += "#lt;";
          break;
        case '>':
          out += "#gt;";
          break;
        case '#':
          out += "#35;";
          break;
        case '&':
          out += "#amp;";
          break;
        default:
          out += c;
      }
    }
  }
  return out + "\"";
}

// Mermaid ids are n0, n1, ... in the file's order: node names may contain
// characters, or be words ("end"), that Mermaid does not accept as ids.
std::string MermaidId(const Topology& t, const std::string& node) {
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    if (t.nodes[i].name == node) return "n" + std::to_string(i);
  }
  return "unknown";
}

// A VXLAN tunnel between two nodes: drawn as a dashed edge once, from the
// first of the two in the file's order.
struct Tunnel {
  const Node* a;
  const Interface* a_if;
  const Node* b;
  const Interface* b_if;
};

// The node (other than `self`) that has `address` on one of its interfaces.
const Node* OwnerOf(const Topology& t, const Node& self, const IpAddress& address) {
  for (const Node& n : t.nodes) {
    if (&n == &self) continue;
    for (const Interface& i : n.interfaces)
      for (const Prefix& p : i.addresses)
        if (p.addr == address) return &n;
  }
  return nullptr;
}

// Every VXLAN whose remote is an address of another node, with that node's
// VXLAN of the same VNI when it has one (else b_if is null); one per pair.
std::vector<Tunnel> Tunnels(const Topology& t) {
  std::vector<Tunnel> out;
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.virt.kind != IfKind::kVxlan || !i.virt.remote) continue;
      const Node* m = OwnerOf(t, n, *i.virt.remote);
      if (!m) continue;
      const Interface* far = nullptr;
      for (const Interface& j : m->interfaces)
        if (j.virt.kind == IfKind::kVxlan && j.virt.vni == i.virt.vni) far = &j;
      bool drawn = false;
      for (const Tunnel& tu : out) drawn = drawn || (tu.a == m && tu.a_if == far);
      if (!drawn) out.push_back({&n, &i, m, far});
    }
  }
  return out;
}

std::vector<std::string> TunnelLines(const Tunnel& tu) {
  auto end = [](const Interface& i) {
    std::string line = i.name;
    for (const Prefix& p : i.addresses) line += " " + p.ToString();
    return line;
  };
  std::vector<std::string> lines = {end(*tu.a_if)};
  if (tu.b_if) lines.push_back(end(*tu.b_if));
  lines.push_back("vxlan vni " + std::to_string(tu.a_if->virt.vni));
  return lines;
}

}  // namespace

const KindStyle& StyleOf(NodeKind kind) {
  for (const KindStyle& s : kKindStyles) {
    if (s.kind == kind) return s;
  }
  return kKindStyles[0];
}

std::vector<std::string> LinkNotes(const Link& link) {
  std::vector<std::string> notes;
  if (link.mtu) notes.push_back("mtu " + std::to_string(*link.mtu));
  if (link.impair.given()) notes.push_back(link.impair.value.ToString());
  return notes;
}

std::string GraphToDot(const Topology& t) {
  std::string out = "// lab '" + t.name + "', drawn by `topo graph`; render with `dot -Tsvg`\n";
  out += "graph " + DotString({t.name}) + " {\n";
  out += "  graph [rankdir=LR, ranksep=1.2, nodesep=0.6];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=11];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const Node& n : t.nodes) {
    out += "  " + DotString({n.name}) + " [" + StyleOf(n.kind).dot_attributes +
           ", label=" + DotString(NodeLines(t, n)) + "];\n";
  }
  for (const Link& l : t.links) {
    out += "  " + DotString({l.a.node}) + " -- " + DotString({l.b.node}) +
           " [label=" + DotString(LinkLines(t, l)) + "];\n";
  }
  for (const Tunnel& tu : Tunnels(t)) {
    out += "  " + DotString({tu.a->name}) + " -- " + DotString({tu.b->name}) +
           " [style=dashed, label=" + DotString(TunnelLines(tu)) + "];\n";
  }
  return out + "}\n";
}

std::string GraphToMermaid(const Topology& t) {
  std::string out = "graph LR\n";
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    const Node& n = t.nodes[i];
    const KindStyle& style = StyleOf(n.kind);
    out += "  n" + std::to_string(i) + style.mermaid_open + MermaidString(NodeLines(t, n)) +
           style.mermaid_close + "\n";
  }
  for (const Link& l : t.links) {
    out += "  " + MermaidId(t, l.a.node) + " ---|" + MermaidString(LinkLines(t, l)) + "| " +
           MermaidId(t, l.b.node) + "\n";
  }
  for (const Tunnel& tu : Tunnels(t)) {
    out += "  " + MermaidId(t, tu.a->name) + " -.-|" + MermaidString(TunnelLines(tu)) + "| " +
           MermaidId(t, tu.b->name) + "\n";
  }
  return out;
}

}  // namespace topo
