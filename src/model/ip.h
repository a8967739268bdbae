// IPv4/IPv6 addresses, prefixes and MAC addresses as plain values: parsing with
// precise error messages, formatting in canonical form, and subnet arithmetic.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace topo {

struct IpAddress {
  int family = 0;  // 4 or 6; 0 when unset.
  std::array<uint8_t, 16> bytes{};

  int max_prefix() const { return family == 4 ? 32 : 128; }
  size_t size() const { return family == 4 ? 4 : 16; }
  bool is_v4() const { return family == 4; }
  std::string ToString() const;
  // clang-tidy 14 misreads the defaulted comparison (llvm/llvm-project#46235).
  auto operator<=>(const IpAddress&) const = default;  // NOLINT(modernize-use-nullptr)
};

// An address with a prefix length: an interface address (10.0.1.2/24) or a
// network (10.0.1.0/24), depending on use.
struct Prefix {
  IpAddress addr;
  int length = 0;

  int family() const { return addr.family; }
  // The network: address with the host bits cleared.
  Prefix Network() const;
  bool HostBitsSet() const { return Network().addr != addr; }
  bool Contains(const IpAddress& a) const;
  bool Overlaps(const Prefix& other) const;
  std::string ToString() const;                     // "10.0.1.2/24"
  auto operator<=>(const Prefix&) const = default;  // NOLINT(modernize-use-nullptr)
};

// Families are 4 and 6 here (not AF_*), so this header stays free of system headers.
std::optional<IpAddress> ParseIp(std::string_view text);
// Parses "addr/len". On failure returns nullopt and sets *error to a lower-case
// reason ("prefix length 33 is out of range for IPv4").
std::optional<Prefix> ParsePrefix(std::string_view text, std::string* error);

// Address classes (of either family).
bool IsUnspecified(const IpAddress& a);  // 0.0.0.0, ::
bool IsLoopback(const IpAddress& a);     // 127.0.0.0/8, ::1
bool IsMulticast(const IpAddress& a);    // 224.0.0.0/4, ff00::/8
bool IsLinkLocal6(const IpAddress& a);   // fe80::/10

struct MacAddress {
  std::array<uint8_t, 6> bytes{};
  bool is_multicast() const { return bytes[0] & 1; }
  bool is_zero() const;
  std::string ToString() const;  // "02:00:00:00:00:01"
};
std::optional<MacAddress> ParseMac(std::string_view text);

}  // namespace topo
