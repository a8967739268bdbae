// The plan's forms of an interface of a kind (model/ifkind.h), for the action
// create-interface: its JSON (in the journal) and its iproute2 shell words.
// Internal to plan/ (plan.cc); not part of the library's interface.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "model/ifkind.h"
#include "model/status.h"

namespace topo::plan_internal {

// Adds the spec's fields to the action's JSON object `j`.
void VirtualToJson(const VirtualSpec& v, nlohmann::json* j);
// Reads them back. Throws nlohmann::json exceptions on wrong types (the
// caller catches them); a bad kind or address is a Status.
Status VirtualFromJson(const nlohmann::json& j, VirtualSpec* out);
// What follows `ip link add` for `ifname`: "name X type vxlan id 100 ...",
// or "link eth0 name X type macvlan mode bridge"; every word through `quote`.
std::string VirtualShellArgs(const VirtualSpec& v, const std::string& ifname,
                             std::string (*quote)(const std::string&));

}  // namespace topo::plan_internal
