#include "derive/subnets.h"

#include <algorithm>

namespace topo {

Uint128 ToNumber(const IpAddress& a) {
  Uint128 n = 0;
  for (size_t i = 0; i < a.size(); ++i) n = (n << 8) | a.bytes[i];
  return n;
}

IpAddress FromNumber(Uint128 n, int family) {
  IpAddress a;
  a.family = family;
  for (size_t i = a.size(); i-- > 0;) {
    a.bytes[i] = static_cast<uint8_t>(n & 0xff);
    n >>= 8;
  }
  return a;
}

Uint128 PowerOfTwo(int bits) { return Uint128{1} << std::min(std::max(bits, 0), 127); }

namespace {

// The offset of the first usable address, and how many there are.
std::pair<Uint128, Uint128> UsableSpan(const Prefix& net) {
  const int host_bits = net.addr.max_prefix() - net.length;
  const Uint128 size = PowerOfTwo(host_bits);
  if (host_bits <= 1) return {0, size};
  if (net.family() == 4) return {1, size - 2};
  return {1, size - 1};
}

}  // namespace

std::optional<Prefix> UsableAddress(const Prefix& net, Uint128 k) {
  auto [first, count] = UsableSpan(net);
  if (k >= count) return std::nullopt;
  return Prefix{FromNumber(ToNumber(net.addr) + first + k, net.family()), net.length};
}

Uint128 UsableCount(const Prefix& net) { return UsableSpan(net).second; }

void RangeSet::Add(Uint128 first, Uint128 last) { ranges_.emplace_back(first, last); }

void RangeSet::Add(const Prefix& p) {
  const Uint128 first = ToNumber(p.Network().addr);
  const int host_bits = p.addr.max_prefix() - p.length;
  const Uint128 last = host_bits >= 128 ? ~Uint128{0} : first + ((Uint128{1} << host_bits) - 1);
  Add(first, last);
}

void RangeSet::Finish() {
  std::sort(ranges_.begin(), ranges_.end());
  std::vector<std::pair<Uint128, Uint128>> merged;
  for (const auto& r : ranges_) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  ranges_ = std::move(merged);
}

std::optional<Uint128> RangeSet::Overlapping(Uint128 first, Uint128 last) const {
  // The first range that ends at or after `first`.
  auto it = std::lower_bound(
      ranges_.begin(), ranges_.end(), first,
      [](const std::pair<Uint128, Uint128>& r, Uint128 v) { return r.second < v; });
  if (it == ranges_.end() || it->first > last) return std::nullopt;
  return it->second;
}

}  // namespace topo
