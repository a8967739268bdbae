// RunChecks (checks.h) and the wire helpers of probe.h. Three phases per
// batch of checks: a helper thread opens every socket inside its namespace
// (clients in the source node, listeners at the target), the caller's thread
// starts every probe, then one poll() loop collects replies, connections and
// datagrams until each check has an outcome or its deadline passes.
#include "checks/probe.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <unordered_map>

#include "checks/checks.h"
#include "checks/sockets.h"
#include "kernel/netns.h"

namespace topo {
namespace probe {

uint16_t InternetChecksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (len % 2) sum += uint32_t{data[len - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::string EchoRequest(int family, uint16_t id, uint16_t seq, const std::string& payload) {
  std::string m(8, '\0');
  m[0] = static_cast<char>(family == 4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST);
  m[4] = static_cast<char>(id >> 8);
  m[5] = static_cast<char>(id & 0xff);
  m[6] = static_cast<char>(seq >> 8);
  m[7] = static_cast<char>(seq & 0xff);
  m += payload;
  uint16_t sum = InternetChecksum(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  m[2] = static_cast<char>(sum >> 8);
  m[3] = static_cast<char>(sum & 0xff);
  return m;
}

namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

std::string UnreachableText(int family, int code) {
  if (family == 4) {
    switch (code) {
      case ICMP_NET_UNREACH:
        return "network unreachable";
      case ICMP_HOST_UNREACH:
        return "host unreachable";
      case ICMP_PROT_UNREACH:
        return "protocol unreachable";
      case ICMP_PORT_UNREACH:
        return "port unreachable";
      case ICMP_PKT_FILTERED:
        return "administratively prohibited";
    }
    return "destination unreachable (code " + std::to_string(code) + ")";
  }
  switch (code) {
    case ICMP6_DST_UNREACH_NOROUTE:
      return "network unreachable";
    case ICMP6_DST_UNREACH_ADMIN:
      return "administratively prohibited";
    case ICMP6_DST_UNREACH_ADDR:
      return "host unreachable";
    case ICMP6_DST_UNREACH_NOPORT:
      return "port unreachable";
  }
  return "destination unreachable (code " + std::to_string(code) + ")";
}

}  // namespace

IcmpMessage ParseIcmp(int family, bool with_ip_header, const uint8_t* data, size_t len) {
  IcmpMessage m;
  if (with_ip_header) {
    if (len < 20) return m;
    size_t ihl = size_t{data[0] & 0x0fu} * 4;
    if (ihl < 20 || len < ihl) return m;
    data += ihl;
    len -= ihl;
  }
  if (len < 8) return m;
  const int type = data[0], code = data[1];
  const bool reply = family == 4 ? type == ICMP_ECHOREPLY : type == ICMP6_ECHO_REPLY;
  if (reply) {
    m.type = IcmpMessage::Type::kEchoReply;
    m.id = Be16(data + 4);
    m.seq = Be16(data + 6);
    return m;
  }
  const bool unreachable = family == 4 ? type == ICMP_DEST_UNREACH : type == ICMP6_DST_UNREACH;
  const bool exceeded = family == 4 ? type == ICMP_TIME_EXCEEDED : type == ICMP6_TIME_EXCEEDED;
  if (!unreachable && !exceeded) return m;
  // The error quotes the offending packet: its IP header, then our echo request.
  const uint8_t* inner = data + 8;
  size_t inner_len = len - 8;
  size_t header = 40;
  if (family == 4) {
    if (inner_len < 20) return m;
    header = size_t{inner[0] & 0x0fu} * 4;
  }
  if (inner_len < header + 8) return m;
  const uint8_t* echo = inner + header;
  const int echo_type = family == 4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
  if (echo[0] != echo_type) return m;
  m.type = unreachable ? IcmpMessage::Type::kUnreachable : IcmpMessage::Type::kTimeExceeded;
  m.id = Be16(echo + 4);
  m.seq = Be16(echo + 6);
  m.what = unreachable ? UnreachableText(family, code) : "time to live exceeded";
  return m;
}

}  // namespace probe

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kResendInterval = std::chrono::milliseconds(200);
using probe::Endpoint;
using probe::FromSockAddr;
using probe::kTokenSize;
using probe::Listener;
using probe::MakeSockAddr;
using probe::SockAddr;

std::string Duration(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

struct Probe {
  const CheckSpec* spec = nullptr;
  CheckResult* result = nullptr;
  UniqueFd fd;
  bool raw = false;  // ICMP over a raw socket (else a ping socket)
  Listener* listener = nullptr;
  std::string token;
  uint16_t echo_id = 0, echo_seq = 0;
  bool connected = false;  // tcp: the handshake completed
  bool done = false;
  Clock::time_point start, deadline, next_send;
  std::string setup_error;
};

// A connection accepted by a TCP listener, until it has sent its token.
struct Accepted {
  UniqueFd fd;
  IpAddress peer;
  std::string data;
};

class Batch {
 public:
  Batch(std::vector<Probe> probes, const RunChecksOptions& options)
      : probes_(std::move(probes)), options_(options) {}

  Status Run() {
    if (Status s = OpenSockets(); !s.ok()) return s;
    Start();
    return Loop();
  }

 private:
  // Listener key: where and on what it listens.
  static std::string ListenKey(const CheckSpec& s) {
    return s.listen_ns + "|" + ProbeKindName(s.kind) + "|" + s.target.ToString() + "|" +
           std::to_string(s.port);
  }

  Status OpenSockets() {
    // Which sockets each namespace needs.
    std::map<std::string, std::vector<Probe*>> clients;
    std::map<std::string, std::vector<Listener*>> listeners;
    std::map<std::string, Listener*> by_key;
    for (Probe& p : probes_) {
      clients[p.spec->from_ns].push_back(&p);
      if (!p.spec->listens) continue;
      Listener*& l =
          by_key[p.spec->port == 0 ? ListenKey(*p.spec) + "#" + p.token : ListenKey(*p.spec)];
      if (!l) {
        listeners_.push_back(std::make_unique<Listener>());
        l = listeners_.back().get();
        l->proto = p.spec->kind == ProbeKind::kTcp ? SOCK_STREAM : SOCK_DGRAM;
        l->ns = p.spec->listen_ns;
        l->node = p.spec->listen_node;
        l->addr = p.spec->target;
        l->port = p.spec->port;
        listeners[l->ns].push_back(l);
      }
      p.listener = l;
    }
    std::vector<std::string> namespaces;
    namespaces.reserve(clients.size() + listeners.size());
    for (const auto& [ns, unused] : clients) namespaces.push_back(ns);
    for (const auto& [ns, unused] : listeners) namespaces.push_back(ns);
    std::sort(namespaces.begin(), namespaces.end());
    namespaces.erase(std::unique(namespaces.begin(), namespaces.end()), namespaces.end());
    return probe::InEachNamespace(namespaces, options_.netns_dir, [&](const std::string& ns) {
      for (Probe* p : clients[ns]) OpenClient(p);
      for (Listener* l : listeners[ns]) probe::OpenListener(l);
    });
  }

  static void OpenClient(Probe* p) {
    const int af = p->spec->target.is_v4() ? AF_INET : AF_INET6;
    int fd = -1;
    if (p->spec->kind == ProbeKind::kPing) {
      const int proto = af == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
      fd = ::socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
      p->raw = fd >= 0;
      if (fd < 0 && (errno == EPERM || errno == EACCES)) {
        fd = ::socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
      }
      if (fd >= 0 && p->raw && af == AF_INET6) {
        icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
        ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
      }
    } else {
      const int type = p->spec->kind == ProbeKind::kTcp ? SOCK_STREAM : SOCK_DGRAM;
      fd = ::socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (fd < 0) {
      p->setup_error = std::string("cannot open a socket in node '") + p->spec->from_node +
                       "': " + std::strerror(errno);
    }
    p->fd.Reset(fd);
  }

  void Finish(Probe* p, bool succeeded, std::string detail) {
    if (p->done) return;
    p->done = true;
    p->fd.Reset();
    CheckResult& r = *p->result;
    r.probe_succeeded = succeeded;
    r.passed = succeeded == p->spec->expect_success;
    r.detail = std::move(detail);
    r.seconds = std::chrono::duration<double>(Clock::now() - p->start).count();
    --pending_;
  }

  // A setup problem fails the check whatever it expected: it did not run.
  void Broken(Probe* p, std::string detail) {
    Finish(p, false, std::move(detail));
    p->result->passed = false;
  }

  void Send(Probe* p) {
    const CheckSpec& s = *p->spec;
    ssize_t n = 0;
    if (s.kind == ProbeKind::kPing) {
      ++p->echo_seq;
      std::string m = probe::EchoRequest(s.target.family, p->echo_id, p->echo_seq, p->token);
      SockAddr sa;
      socklen_t len = MakeSockAddr(s.target, 0, &sa);
      n = ::sendto(p->fd.get(), m.data(), m.size(), 0, &sa.sa, len);
    } else if (s.kind == ProbeKind::kUdp) {
      n = ::send(p->fd.get(), p->token.data(), p->token.size(), 0);
    }
    p->next_send = Clock::now() + kResendInterval;
    if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS) {
      return;
    }
    // A local error (no route: "network is unreachable") or an ICMP error a
    // connected UDP socket reports is the answer: the check ends at once, as
    // an ICMP error does.
    Finish(p, false, Lower(std::strerror(errno)));
  }

  void Start() {
    std::random_device rd;
    const auto now = Clock::now();
    uint16_t id_base = static_cast<uint16_t>(rd());
    for (size_t i = 0; i < probes_.size(); ++i) {
      Probe* p = &probes_[i];
      const CheckSpec& s = *p->spec;
      p->start = now;
      p->deadline = now + std::chrono::milliseconds(s.timeout_ms);
      p->echo_id = static_cast<uint16_t>(id_base + i);
      ++pending_;
      if (!p->setup_error.empty()) {
        Broken(p, p->setup_error);
        continue;
      }
      if (p->listener && !p->listener->error.empty()) {
        Broken(p, p->listener->error);
        continue;
      }
      tokens_[p->token] = p;
      if (s.kind == ProbeKind::kPing) {
        Send(p);
        continue;
      }
      const int port = p->listener ? p->listener->port : s.port;
      SockAddr sa;
      socklen_t len = MakeSockAddr(s.target, port, &sa);
      if (::connect(p->fd.get(), &sa.sa, len) != 0 && errno != EINPROGRESS) {
        Finish(p, false,
               std::string("connect to ") + Endpoint(s.target, port) + ": " + std::strerror(errno));
        continue;
      }
      if (s.kind == ProbeKind::kUdp) Send(p);
    }
  }

  void OnClientEvent(Probe* p, short revents) {
    const CheckSpec& s = *p->spec;
    if (s.kind == ProbeKind::kTcp) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(p->fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return Finish(p, false, Lower(std::strerror(err)));
      if (!(revents & POLLOUT) || p->connected) return;
      p->connected = true;
      const bool across = !s.listen_machine.empty();
      if (!p->listener && !across) return Finish(p, true, "connected");
      // Tell topo's listener which check this connection is.
      if (::send(p->fd.get(), p->token.data(), p->token.size(), MSG_NOSIGNAL) < 0) {
        return Finish(p, false, std::string("send: ") + std::strerror(errno));
      }
      if (across) return Finish(p, true, "connected to topo on machine '" + s.listen_machine + "'");
      if (!s.source) Finish(p, true, "connected");
      return;
    }
    if (s.kind == ProbeKind::kUdp) {
      char buf[64];
      if (::recv(p->fd.get(), buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != EAGAIN) {
        // ICMP errors for a connected UDP socket surface here.
        return Finish(p, false, Lower(std::strerror(errno)));
      }
      return;
    }
    uint8_t buf[2048];
    for (;;) {
      SockAddr from;
      socklen_t len = sizeof(from);
      ssize_t n = ::recvfrom(p->fd.get(), buf, sizeof(buf), 0, &from.sa, &len);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          return Finish(p, false, Lower(std::strerror(errno)));
        }
        return;
      }
      const bool ip_header = p->raw && s.target.is_v4();
      probe::IcmpMessage m = probe::ParseIcmp(s.target.family, ip_header, buf, size_t(n));
      // A ping socket rewrites the id to its own; the kernel matches replies to it.
      if (p->raw && m.id != p->echo_id) continue;
      if (m.seq == 0 || m.seq > p->echo_seq) continue;
      const std::string sender = FromSockAddr(from).ToString();
      if (m.type == probe::IcmpMessage::Type::kEchoReply) {
        return Finish(p, true, "reply from " + sender);
      }
      if (m.type != probe::IcmpMessage::Type::kOther) {
        return Finish(p, false, m.what + " (from " + sender + ")");
      }
    }
  }

  void Arrived(const std::string& token, const IpAddress& peer) {
    auto it = tokens_.find(token);
    if (it == tokens_.end() || it->second->done) return;
    Probe* p = it->second;
    const CheckSpec& s = *p->spec;
    const std::string how = s.kind == ProbeKind::kTcp ? "connected" : "arrived";
    if (!s.source) return Finish(p, true, how + " from " + peer.ToString());
    if (peer == *s.source) return Finish(p, true, how + " from " + peer.ToString());
    Finish(p, false, how + " from " + peer.ToString() + ", not " + s.source->ToString());
  }

  void OnListenerEvent(Listener* l) {
    for (;;) {
      SockAddr from;
      socklen_t len = sizeof(from);
      if (l->proto == SOCK_STREAM) {
        int fd = ::accept4(l->fd.get(), &from.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        auto a = std::make_unique<Accepted>();
        a->fd.Reset(fd);
        a->peer = FromSockAddr(from);
        accepted_.push_back(std::move(a));
        continue;
      }
      char buf[256];
      ssize_t n = ::recvfrom(l->fd.get(), buf, sizeof(buf), 0, &from.sa, &len);
      if (n < 0) return;
      if (size_t(n) == kTokenSize) Arrived(std::string(buf, kTokenSize), FromSockAddr(from));
    }
  }

  // Reads a connection's token; returns false when the connection is finished with.
  bool OnAcceptedEvent(Accepted* a) {
    char buf[64];
    ssize_t n = ::recv(a->fd.get(), buf, sizeof(buf), 0);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    a->data.append(buf, size_t(n));
    if (a->data.size() >= kTokenSize) {
      Arrived(a->data.substr(0, kTokenSize), a->peer);
      return false;
    }
    return n > 0;
  }

  static std::string Lower(std::string s) {
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
  }

  std::string TimedOut(const Probe& p) const {
    const CheckSpec& s = *p.spec;
    std::string d = Duration(s.timeout_ms);
    if (!p.result->detail.empty()) return p.result->detail + "; no answer within " + d;
    switch (s.kind) {
      case ProbeKind::kPing:
        return "no reply within " + d;
      case ProbeKind::kTcp:
        return p.connected ? "connected, but topo's listener saw nothing within " + d
                           : "no connection within " + d;
      case ProbeKind::kUdp:
        break;
    }
    return "nothing arrived within " + d;
  }

  Status Loop() {
    std::vector<pollfd> fds;
    std::vector<std::pair<int, void*>> owners;  // 0 probe, 1 listener, 2 accepted
    while (pending_ > 0) {
      if (options_.cancel && options_.cancel->load())
        return Status::Interrupted("checks interrupted");
      auto now = Clock::now();
      auto wake = now + std::chrono::milliseconds(20);  // cancellation is noticed this soon
      fds.clear();
      owners.clear();
      for (Probe& p : probes_) {
        if (p.done) continue;
        if (now >= p.deadline) {
          Finish(&p, false, TimedOut(p));
          continue;
        }
        if (p.spec->kind != ProbeKind::kTcp && now >= p.next_send) Send(&p);
        if (p.spec->kind != ProbeKind::kTcp) wake = std::min(wake, p.next_send);
        wake = std::min(wake, p.deadline);
        if (!p.fd.valid()) continue;
        short events = POLLIN;
        if (p.spec->kind == ProbeKind::kTcp && !p.connected) events = POLLOUT;
        fds.push_back({p.fd.get(), events, 0});
        owners.emplace_back(0, &p);
      }
      if (pending_ == 0) break;
      for (auto& l : listeners_) {
        if (!l->fd.valid()) continue;
        fds.push_back({l->fd.get(), POLLIN, 0});
        owners.emplace_back(1, l.get());
      }
      for (auto& a : accepted_) {
        fds.push_back({a->fd.get(), POLLIN, 0});
        owners.emplace_back(2, a.get());
      }
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
      int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0)) + 1);
      if (n < 0 && errno != EINTR) return Status::FromErrno("poll", errno);
      if (n <= 0) continue;
      std::vector<Accepted*> finished;
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        auto [what, ptr] = owners[i];
        if (what == 0) {
          Probe* p = static_cast<Probe*>(ptr);
          if (!p->done) OnClientEvent(p, fds[i].revents);
        } else if (what == 1) {
          OnListenerEvent(static_cast<Listener*>(ptr));
        } else if (!OnAcceptedEvent(static_cast<Accepted*>(ptr))) {
          finished.push_back(static_cast<Accepted*>(ptr));
        }
      }
      std::erase_if(accepted_, [&](const std::unique_ptr<Accepted>& a) {
        return std::find(finished.begin(), finished.end(), a.get()) != finished.end();
      });
    }
    return Status::OK();
  }

  std::vector<Probe> probes_;
  const RunChecksOptions& options_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<Accepted>> accepted_;
  std::unordered_map<std::string, Probe*> tokens_;
  size_t pending_ = 0;
};

}  // namespace

namespace {

// Every check once, all at once.
Status RunChecksOnce(const std::vector<CheckSpec>& specs, const RunChecksOptions& options,
                     std::vector<CheckResult>* results) {
  results->assign(specs.size(), CheckResult{});
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  const size_t step = std::max<size_t>(options.max_parallel, 1);
  for (size_t first = 0; first < specs.size(); first += step) {
    std::vector<Probe> probes;
    for (size_t i = first; i < std::min(specs.size(), first + step); ++i) {
      Probe p;
      p.spec = &specs[i];
      p.result = &(*results)[i];
      p.result->name = specs[i].name;
      p.token = "topo";
      for (int k = 0; k < 3; ++k) {
        uint32_t v = static_cast<uint32_t>(rng());
        p.token.append(reinterpret_cast<const char*>(&v), sizeof(v));
      }
      if (!specs[i].listen_machine.empty()) p.token = probe::AcrossToken(specs[i].name);
      probes.push_back(std::move(p));
    }
    Batch batch(std::move(probes), options);
    if (Status s = batch.Run(); !s.ok()) return s;
  }
  return Status::OK();
}

constexpr auto kRetryPause = std::chrono::milliseconds(200);

}  // namespace

Status RunChecks(const std::vector<CheckSpec>& specs, const RunChecksOptions& options,
                 std::vector<CheckResult>* results) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  if (Status s = RunChecksOnce(specs, options, results); !s.ok()) return s;
  // Checks with `within` that failed run again, together, until they pass or
  // their time is up.
  for (;;) {
    std::vector<size_t> again;
    const double now = elapsed_ms();
    for (size_t i = 0; i < specs.size(); ++i) {
      CheckResult& r = (*results)[i];
      if (specs[i].within_ms <= 0) continue;
      r.seconds = std::max(r.seconds, now / 1000);
      if (!r.passed && now + kRetryPause.count() < specs[i].within_ms) again.push_back(i);
    }
    if (again.empty()) return Status::OK();
    for (auto waited = std::chrono::milliseconds(0); waited < kRetryPause;
         waited += std::chrono::milliseconds(20)) {
      if (options.cancel && options.cancel->load()) return Status::Interrupted("interrupted");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::vector<CheckSpec> retry;
    for (size_t i : again) {
      CheckSpec s = specs[i];
      const int left = s.within_ms - static_cast<int>(elapsed_ms());
      s.timeout_ms = std::max(1, std::min(s.timeout_ms, left));
      retry.push_back(std::move(s));
    }
    std::vector<CheckResult> retried;
    if (Status s = RunChecksOnce(retry, options, &retried); !s.ok()) return s;
    for (size_t k = 0; k < again.size(); ++k) {
      CheckResult& r = (*results)[again[k]];
      const int attempts = r.attempts + 1;
      r = std::move(retried[k]);
      r.attempts = attempts;
    }
  }
}

}  // namespace topo
