#include "model/substitute.h"

#include <vector>

#include "model/diagnostic.h"

namespace topo {
namespace {

constexpr const char* kHint =
    "placeholders are {{node}}, {{ns}}, {{lab}}, {{name}}, {{prefix}}, {{addr NODE:IF}}, "
    "{{addr6 NODE:IF}}, {{cidr NODE:IF}} and {{cidr6 NODE:IF}}";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// The address placeholders: {{addr NODE:IF}} and friends.
std::optional<SubstitutionError> Address(std::string_view word, std::string_view arg,
                                         const Topology& t, std::string* value) {
  const std::string shown = "{{" + std::string(word) + " " + std::string(arg) + "}}";
  const size_t colon = arg.find(':');
  if (arg.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == arg.size()) {
    return SubstitutionError{0, "placeholder '" + shown + "' needs NODE:INTERFACE",
                             "e.g. {{" + std::string(word) + " r1:eth0}}"};
  }
  const std::string node(arg.substr(0, colon)), ifname(arg.substr(colon + 1));
  const Node* n = t.FindNode(node);
  if (!n) {
    std::vector<std::string> names;
    for (const Node& m : t.nodes) names.push_back(m.name);
    return SubstitutionError{
        0, "unknown node '" + node + "' in placeholder '" + shown + "'" + DidYouMean(node, names),
        ""};
  }
  const Interface* i = n->FindInterface(ifname);
  if (!i) {
    std::vector<std::string> names;
    for (const Interface& j : n->interfaces) names.push_back(j.name);
    return SubstitutionError{0,
                             "node '" + node + "' has no interface '" + ifname +
                                 "' (placeholder '" + shown + "')" + DidYouMean(ifname, names),
                             ""};
  }
  const int family = word.ends_with('6') ? 6 : 4;
  for (const Prefix& p : i->addresses) {
    if (p.family() != family) continue;
    *value = word.starts_with("cidr") ? p.ToString() : p.addr.ToString();
    return std::nullopt;
  }
  return SubstitutionError{0,
                           "interface '" + node + ":" + ifname + "' has no IPv" +
                               std::to_string(family) + " address (placeholder '" + shown + "')",
                           "give the interface an address, or use another placeholder"};
}

// The value of the placeholder whose inside (between the braces) is `inner`.
std::optional<SubstitutionError> Value(std::string_view inner, const Topology& t, const Node& node,
                                       std::string* value) {
  inner = Trim(inner);
  size_t space = 0;
  while (space < inner.size() && !IsBlank(inner[space])) ++space;
  const std::string_view word = inner.substr(0, space);
  const std::string_view arg = Trim(inner.substr(space));
  if (word == "addr" || word == "addr6" || word == "cidr" || word == "cidr6") {
    return Address(word, arg, t, value);
  }
  if (arg.empty()) {
    if (word == "node") {
      *value = node.name;
    } else if (word == "ns") {
      *value = t.NamespaceOf(node.name);
    } else if (word == "lab") {
      *value = t.LabName();
    } else if (word == "name") {
      *value = t.name;
    } else if (word == "prefix") {
      *value = t.prefix;
    } else {
      const std::string known = ClosestMatch(
          word, {"node", "ns", "lab", "name", "prefix", "addr", "addr6", "cidr", "cidr6"});
      return SubstitutionError{0,
                               "unknown placeholder '{{" + std::string(inner) + "}}'" +
                                   (known.empty() ? "" : " (did you mean '{{" + known + "}}'?)"),
                               kHint};
    }
    return std::nullopt;
  }
  return SubstitutionError{0, "unknown placeholder '{{" + std::string(inner) + "}}'", kHint};
}

}  // namespace

std::optional<SubstitutionError> Substitute(std::string_view text, const Topology& t,
                                            const Node& node, std::string* out) {
  std::string result;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return SubstitutionError{open, "'{{' without a closing '}}'", kHint};
    }
    std::string value;
    if (auto e = Value(text.substr(open + 2, close - open - 2), t, node, &value)) {
      e->offset = open;
      return e;
    }
    if (out) {
      result.append(text.substr(pos, open - pos));
      result += value;
    }
    pos = close + 2;
  }
  if (out) {
    result.append(text.substr(pos));
    *out = std::move(result);
  }
  return std::nullopt;
}

}  // namespace topo
