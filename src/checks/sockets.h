// The sockets of the checks, shared by probe.cc (RunChecks) and serve.cc
// (ServeChecks): addresses as sockaddrs, topo's listener at a check's target,
// the token a probe sends a listener to say which check it is, and a helper
// thread that enters each of a lab's namespaces in turn to open sockets there
// (a socket keeps the namespace it was made in; the caller's thread never
// changes namespace). Internal to checks/.
#pragma once

#include <sys/socket.h>

#include <netinet/in.h>
#include <functional>
#include <string>
#include <vector>

#include "kernel/netns.h"
#include "model/ip.h"
#include "model/status.h"

namespace topo::probe {

union SockAddr {
  sockaddr sa;
  sockaddr_in in;
  sockaddr_in6 in6;
  sockaddr_storage storage;
};

// `a`:`port` as a sockaddr; returns its length.
socklen_t MakeSockAddr(const IpAddress& a, int port, SockAddr* out);
// The address of a sockaddr; an IPv4-mapped IPv6 address is the IPv4 address.
IpAddress FromSockAddr(const SockAddr& s);
// "10.0.0.1:80", "[fd00::1]:80".
std::string Endpoint(const IpAddress& a, int port);

// A probe's token: the first bytes a TCP probe sends, or a UDP probe's datagram.
constexpr size_t kTokenSize = 16;
// The token of a check across machines: made from its name alone, so that
// topo on the target's machine (ServeChecks), which resolved the same check
// from the same file, knows it.
std::string AcrossToken(const std::string& check_name);

// A listener of topo's at a check's target; shared by checks to the same place.
struct Listener {
  int proto = 0;  // SOCK_STREAM or SOCK_DGRAM
  std::string ns, node;
  IpAddress addr;
  int port = 0;  // the bound port (chosen by the kernel when the checks asked for 0)
  UniqueFd fd;
  std::string error;  // could not listen: every check using it fails with this
};

// Binds (and for TCP, listens on) l's address and port in the calling
// thread's namespace; on failure, l->error says why.
void OpenListener(Listener* l);

// Calls open(ns) for each namespace of `namespaces` from a helper thread that
// has entered it ("": the caller's own namespace, taken by identity, never by
// name); returns the first namespace that cannot be entered as NotFound.
Status InEachNamespace(const std::vector<std::string>& namespaces, const std::string& netns_dir,
                       const std::function<void(const std::string& ns)>& open);

}  // namespace topo::probe
