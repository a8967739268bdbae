// The packets behind declared checks (checks.h): ICMP echo, TCP connect and UDP
// datagrams, sent from sockets that live in a lab's namespaces, with topo's own
// listeners at the targets. A socket keeps the namespace it was created in, so
// one helper thread enters each namespace once to open every socket needed
// there, and the caller's thread then drives all probes at once from a single
// poll() loop: hundreds of checks cost about as long as the slowest one.
//
// ICMP uses a raw socket when the process may open one (root, CAP_NET_RAW) and
// an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) otherwise. Requests
// are resent every 200 ms until a reply or the check's timeout, so a lost
// first packet (neighbour resolution) does not fail a check.
//
// The wire helpers below are pure functions, declared for the unit tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace topo::probe {

// An ICMP (family 4) or ICMPv6 (family 6) echo request with a checksum (the
// kernel recomputes the ICMPv6 one) and `payload`.
std::string EchoRequest(int family, uint16_t id, uint16_t seq, const std::string& payload);

// What an ICMP message received on a raw or ping socket says.
struct IcmpMessage {
  enum class Type { kOther, kEchoReply, kUnreachable, kTimeExceeded };
  Type type = Type::kOther;
  uint16_t id = 0, seq = 0;  // of the echo (for errors: of the echo request they quote)
  std::string what;          // errors: "host unreachable", "time to live exceeded"
};

// Parses a received message. `with_ip_header`: the data starts with the IPv4
// header (raw IPv4 sockets); ICMPv6 and ping sockets deliver the ICMP message alone.
IcmpMessage ParseIcmp(int family, bool with_ip_header, const uint8_t* data, size_t len);

// The RFC 1071 checksum.
uint16_t InternetChecksum(const uint8_t* data, size_t len);

}  // namespace topo::probe
