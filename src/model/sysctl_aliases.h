// How the kernel ties some sysctls together, for restoring them exactly and
// for telling when two labs set the same setting.
//
// Aliases: net.ipv4.ip_forward and net.ipv4.conf.all.forwarding are one
// setting under two names. Propagation: when the value of that setting (or of
// net.ipv6.conf.all.forwarding) changes, the kernel also writes it into the
// family's conf.default.forwarding and into conf.IF.forwarding of every
// interface, so restoring the old value alone would reset every interface
// to it, whatever each had before. Pure functions of names.
#pragma once

#include <string>
#include <vector>

namespace topo {

// The name a setting is compared by: net.ipv4.ip_forward becomes
// net.ipv4.conf.all.forwarding; every other key is its own.
std::string CanonicalSysctlKey(const std::string& key);

// The keys the kernel writes too when `key` changes, given the namespace's
// interfaces: net.ipvN.conf.default.forwarding and net.ipvN.conf.IF.forwarding
// for the IPv4 and IPv6 forwarding settings, nothing for any other key.
std::vector<std::string> PropagatedSysctlKeys(const std::string& key,
                                              const std::vector<std::string>& interfaces);

// Whether `candidate` is one of the keys the kernel writes too when `key`
// changes (for any set of interfaces): what a note may name when a sysctl
// is restored, whatever the journal says.
bool IsPropagatedSysctlKey(const std::string& key, const std::string& candidate);

// The canonical key whose changes the kernel copies into `key`
// (net.ipvN.conf.all.forwarding for net.ipvN.conf.default.forwarding and
// net.ipvN.conf.IF.forwarding), or "" for any other key.
std::string PropagatingSysctlKey(const std::string& key);

// A value with whitespace runs as one space and none at the ends: how the
// kernel prints a multi-value sysctl ("4096\t87380") against how a file writes
// it, for comparing values.
std::string CollapseSysctlValue(const std::string& value);

}  // namespace topo
