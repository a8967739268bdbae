// Substitution of lab facts into the text of a node's files, programs' argv,
// environment values and readiness commands, so that one configuration serves
// under any --prefix. A placeholder is `{{WORD}}` or `{{WORD ARG}}`, with any
// spaces inside the braces:
//
//   {{node}}            the node's name            {{ns}}      its namespace
//   {{lab}}             prefix + topology name     {{name}}    the topology's name
//   {{prefix}}          the prefix ("" without one)
//   {{addr NODE:IF}}    the interface's first IPv4 address, without length
//   {{addr6 NODE:IF}}   its first IPv6 address     {{cidr NODE:IF}} / {{cidr6 NODE:IF}}: with
//   length
//
// Anything else between `{{` and `}}`, a `{{` without `}}`, or an address the
// interface does not have is an error. One pure function serves validation
// (which reports the error at the value) and compilation (which writes the
// result into the plan); there is no escape: a file that must keep `{{` as
// is says `substitute: false`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/topology.h"

namespace topo {

struct SubstitutionError {
  size_t offset = 0;    // where the placeholder starts in the text
  std::string message;  // "unknown placeholder '{{nodes}}' (did you mean '{{node}}'?)"
  std::string hint;
};

// `text` with every placeholder replaced by the facts of lab `t` as seen from
// `node`, into *out (which may be null to only check). Returns the first
// error, leaving *out unspecified.
std::optional<SubstitutionError> Substitute(std::string_view text, const Topology& t,
                                            const Node& node, std::string* out);

// Whether `text` holds any `{{` at all (no substitution needed when not).
inline bool HasPlaceholder(std::string_view text) {
  return text.find("{{") != std::string_view::npos;
}

}  // namespace topo
