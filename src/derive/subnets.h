// Address arithmetic for automatic addressing: addresses as 128-bit numbers
// (IPv4 in the low 32 bits), the usable addresses of a subnet, and a set of
// address ranges that answers "does this range overlap any of them" in
// O(log n). Pure values; no topology.
#pragma once

#include <optional>
#include <vector>

#include "model/ip.h"

namespace topo {

__extension__ typedef unsigned __int128 Uint128;

Uint128 ToNumber(const IpAddress& a);
IpAddress FromNumber(Uint128 n, int family);

// 2^bits, for bits 0 to 127 (less is 1, more is 2^127).
Uint128 PowerOfTwo(int bits);

// The k-th usable address (k from 0) of subnet `net` (host bits clear):
// from the network address itself for /31, /32, /127 and /128, else from the
// one after it; up to the last but one for IPv4 (the broadcast), the last
// for IPv6. nullopt past the end.
std::optional<Prefix> UsableAddress(const Prefix& net, Uint128 k);
// How many usable addresses `net` has (as UsableAddress counts them).
Uint128 UsableCount(const Prefix& net);

// Closed ranges [first, last] of one family, merged.
class RangeSet {
 public:
  void Add(Uint128 first, Uint128 last);
  void Add(const Prefix& p);  // the prefix's network, as a range
  // The last address of the range of this set that overlaps [first, last],
  // or nullopt when none does. Call Finish() first.
  std::optional<Uint128> Overlapping(Uint128 first, Uint128 last) const;
  void Finish();  // sorts and merges what Add collected

 private:
  std::vector<std::pair<Uint128, Uint128>> ranges_;
};

}  // namespace topo
