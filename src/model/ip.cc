#include "model/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace topo {

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (family == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else if (family == 6) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.family = 6;
  } else {
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.family = 4;
  }
  return a;
}

Prefix Prefix::Network() const {
  Prefix p = *this;
  for (size_t i = 0; i < p.addr.size(); ++i) {
    int bits = length - static_cast<int>(i) * 8;
    if (bits >= 8) continue;
    p.addr.bytes[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return p;
}

bool Prefix::Contains(const IpAddress& a) const {
  if (a.family != addr.family) return false;
  Prefix other{a, length};
  return other.Network().addr == Network().addr;
}

bool Prefix::Overlaps(const Prefix& other) const {
  if (family() != other.family()) return false;
  int len = std::min(length, other.length);
  return Prefix{addr, len}.Network().addr == Prefix{other.addr, len}.Network().addr;
}

std::string Prefix::ToString() const { return addr.ToString() + "/" + std::to_string(length); }

std::optional<Prefix> ParsePrefix(std::string_view text, std::string* error) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    *error = "'" + std::string(text) + "' has no prefix length";
    return std::nullopt;
  }
  std::string_view ip = text.substr(0, slash), len = text.substr(slash + 1);
  auto a = ParseIp(ip);
  if (!a) {
    *error = "'" + std::string(ip) + "' is not a valid IPv4 or IPv6 address";
    return std::nullopt;
  }
  int n = -1;
  auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
  if (len.empty() || ec != std::errc() || ptr != len.data() + len.size()) {
    *error = "prefix length '" + std::string(len) + "' is not a number";
    return std::nullopt;
  }
  if (n < 0 || n > a->max_prefix()) {
    *error = "prefix length " + std::string(len) + " is out of range for " +
             (a->is_v4() ? "IPv4 (0-32)" : "IPv6 (0-128)");
    return std::nullopt;
  }
  return Prefix{*a, n};
}

bool IsUnspecified(const IpAddress& a) {
  for (size_t k = 0; k < a.size(); ++k) {
    if (a.bytes[k]) return false;
  }
  return true;
}

bool IsLoopback(const IpAddress& a) {
  if (a.is_v4()) return a.bytes[0] == 127;
  for (size_t k = 0; k < 15; ++k) {
    if (a.bytes[k]) return false;
  }
  return a.bytes[15] == 1;
}

bool IsMulticast(const IpAddress& a) {
  return a.is_v4() ? (a.bytes[0] & 0xf0) == 0xe0 : a.bytes[0] == 0xff;
}

bool IsLinkLocal6(const IpAddress& a) {
  return a.family == 6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

bool MacAddress::is_zero() const {
  for (uint8_t b : bytes)
    if (b) return false;
  return true;
}

std::string MacAddress::ToString() const {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return buf;
}

std::optional<MacAddress> ParseMac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  MacAddress m;
  for (int i = 0; i < 6; ++i) {
    std::string_view part = text.substr(static_cast<size_t>(i) * 3, 2);
    if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + 2, v, 16);
    if (ec != std::errc() || ptr != part.data() + 2) return std::nullopt;
    m.bytes[i] = static_cast<uint8_t>(v);
  }
  return m;
}

}  // namespace topo
