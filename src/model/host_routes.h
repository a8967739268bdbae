// What a lab may route through the host. A node of kind root adds routes to
// the host (its `routes:`, and the subnet of each of its addresses); a file
// from someone else must not be able to take over the host's routing with
// them. These are the rules that need only the file (front/ applies them at
// validate; lab/ compares with the host's own routes at `up`):
//
//  - no host route may reach into a reserved range: 169.254.0.0/16 (IPv4
//    link-local, where cloud metadata services answer, 169.254.169.254) and
//    fe80::/10 (IPv6 link-local);
//  - the host routes of one family together must cover less than half of
//    that family's address space: a default route, 0.0.0.0/1 alone, or
//    0.0.0.0/1 with 128.0.0.0/1 (a default route in two halves) take over the
//    host's default route whatever the host has.
//
// A route inside a prefix the user allowed (`--allow-host-route PREFIX`) is
// exempt from both. Prefixes are compared as prefixes, never as text. Pure
// functions of values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ip.h"

namespace topo {

// The destination of a default route of `family` (4 or 6): 0.0.0.0/0 or ::/0.
Prefix DefaultPrefix(int family);

// The reserved range `p` overlaps (contains, or lies in), if any.
std::optional<Prefix> ReservedHostRange(const Prefix& p);
// What a reserved range is: "link-local, where cloud metadata services answer".
const char* ReservedHostRangeWhat(const Prefix& range);

// Whether `p` lies inside one of `allowed` (of its family).
bool HostRouteAllowed(const Prefix& p, const std::vector<Prefix>& allowed);

// A prefix as `--allow-host-route` takes it: "169.254.169.254/32", a bare
// address (a /32 or /128), "0.0.0.0/0"; host bits are dropped. nullopt and
// *error otherwise.
std::optional<Prefix> ParseAllowedHostRoute(std::string_view text, std::string* error);

// Whether `prefixes` of `family` (others are ignored) together cover half of
// that family's address space or more. Overlaps count once.
bool CoverHalfTheSpace(const std::vector<Prefix>& prefixes, int family);

}  // namespace topo
