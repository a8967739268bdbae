#include "model/host_routes.h"

#include <algorithm>

namespace topo {
namespace {

Prefix Parsed(const char* text) {
  std::string unused;
  return *ParsePrefix(text, &unused);
}

const std::vector<Prefix>& ReservedRanges() {
  static const std::vector<Prefix> ranges = {Parsed("169.254.0.0/16"), Parsed("fe80::/10")};
  return ranges;
}

// Whether `outer` contains all of `inner`.
bool Within(const Prefix& inner, const Prefix& outer) {
  return inner.family() == outer.family() && inner.length >= outer.length &&
         outer.Contains(inner.addr);
}

}  // namespace

Prefix DefaultPrefix(int family) {
  Prefix p;
  p.addr.family = family;
  p.length = 0;
  return p;
}

std::optional<Prefix> ReservedHostRange(const Prefix& p) {
  for (const Prefix& r : ReservedRanges()) {
    if (p.Overlaps(r)) return r;
  }
  return std::nullopt;
}

const char* ReservedHostRangeWhat(const Prefix& range) {
  return range.family() == 4 ? "IPv4 link-local, where cloud metadata services answer"
                             : "IPv6 link-local";
}

bool HostRouteAllowed(const Prefix& p, const std::vector<Prefix>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const Prefix& a) { return Within(p.Network(), a.Network()); });
}

std::optional<Prefix> ParseAllowedHostRoute(std::string_view text, std::string* error) {
  if (text.find('/') == std::string_view::npos) {
    std::optional<IpAddress> a = ParseIp(text);
    if (!a) {
      *error = "'" + std::string(text) + "' is neither an address nor a prefix";
      return std::nullopt;
    }
    return Prefix{*a, a->max_prefix()};
  }
  std::optional<Prefix> p = ParsePrefix(text, error);
  if (!p) return std::nullopt;
  return p->Network();
}

bool CoverHalfTheSpace(const std::vector<Prefix>& prefixes, int family) {
  // Keep the outermost prefixes only: prefixes are nested or disjoint, so what
  // remains is disjoint, and its share of the space is the sum of 2^-length.
  std::vector<Prefix> nets;
  for (const Prefix& p : prefixes) {
    if (p.family() == family) nets.push_back(p.Network());
  }
  std::sort(nets.begin(), nets.end(),
            [](const Prefix& a, const Prefix& b) { return a.length < b.length; });
  std::vector<Prefix> outer;
  for (const Prefix& p : nets) {
    if (std::none_of(outer.begin(), outer.end(), [&](const Prefix& o) { return Within(p, o); })) {
      outer.push_back(p);
    }
  }
  // Exact binary addition of the shares, carried towards length 0.
  const int bits = family == 4 ? 32 : 128;
  std::vector<size_t> count(bits + 1, 0);
  for (const Prefix& p : outer) ++count[p.length];
  for (int len = bits; len > 0; --len) {
    count[len - 1] += count[len] / 2;
    count[len] %= 2;
  }
  return count[0] > 0 || count[1] > 0;
}

}  // namespace topo
