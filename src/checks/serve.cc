// ServeChecks (checks.h): topo's listeners, on the target's machine, for the
// tcp checks of other machines. One listener per place (namespace, address,
// port), opened from a helper thread inside its namespace; then one poll()
// loop accepts connections and reads each one's token (AcrossToken of the
// check's name, sockets.h) until every check has arrived or the time is up.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>

#include "checks/checks.h"
#include "checks/sockets.h"

namespace topo {
namespace {

using Clock = std::chrono::steady_clock;

// A connection accepted, until it has sent its token.
struct Connection {
  UniqueFd fd;
  IpAddress peer;
  std::string data;
};

class Server {
 public:
  Server(const std::vector<CheckSpec>& served, const RunChecksOptions& options,
         const std::atomic<bool>* busy, std::vector<ServedResult>* results)
      : served_(served), options_(options), busy_(busy), results_(*results) {
    results_.assign(served.size(), ServedResult{});
    done_.assign(served.size(), false);
    for (size_t i = 0; i < served.size(); ++i) {
      results_[i].name = served[i].name;
      by_token_[probe::AcrossToken(served[i].name)] = i;
      wait_ms_ = std::max(wait_ms_, served[i].within_ms);
    }
  }

  Status Run() {
    if (Status s = Open(); !s.ok()) return s;
    return Loop();
  }

 private:
  Status Open() {
    std::map<std::string, probe::Listener*> by_place;
    std::map<std::string, std::vector<probe::Listener*>> in_ns;
    listener_of_.reserve(served_.size());
    for (const CheckSpec& s : served_) {
      const std::string place =
          s.listen_ns + "|" + s.target.ToString() + "|" + std::to_string(s.port);
      probe::Listener*& l = by_place[place];
      if (!l) {
        listeners_.push_back(std::make_unique<probe::Listener>());
        l = listeners_.back().get();
        l->proto = SOCK_STREAM;
        l->ns = s.listen_ns;
        l->node = s.listen_node;
        l->addr = s.target;
        l->port = s.port;
        in_ns[l->ns].push_back(l);
      }
      listener_of_.push_back(l);
    }
    std::vector<std::string> namespaces;
    namespaces.reserve(in_ns.size());
    for (const auto& [ns, unused] : in_ns) namespaces.push_back(ns);
    Status s = probe::InEachNamespace(namespaces, options_.netns_dir, [&](const std::string& ns) {
      for (probe::Listener* l : in_ns[ns]) probe::OpenListener(l);
    });
    if (!s.ok()) return s;
    for (size_t i = 0; i < served_.size(); ++i) {
      results_[i].listening = listener_of_[i]->error.empty();
      if (results_[i].listening) continue;
      results_[i].detail = listener_of_[i]->error;
      done_[i] = true;
    }
    return Status::OK();
  }

  void Accept(probe::Listener* l) {
    for (;;) {
      probe::SockAddr from;
      socklen_t len = sizeof(from);
      const int fd = ::accept4(l->fd.get(), &from.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      auto c = std::make_unique<Connection>();
      c->fd.Reset(fd);
      c->peer = probe::FromSockAddr(from);
      connections_.push_back(std::move(c));
    }
  }

  // Reads a connection's token; returns false when the connection is finished with.
  bool Read(Connection* c) {
    char buf[64];
    const ssize_t n = ::recv(c->fd.get(), buf, sizeof(buf), 0);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c->data.append(buf, size_t(n));
    if (c->data.size() < probe::kTokenSize) return n > 0;
    auto it = by_token_.find(c->data.substr(0, probe::kTokenSize));
    if (it != by_token_.end() && !done_[it->second]) {
      done_[it->second] = true;
      results_[it->second].arrived = true;
      results_[it->second].detail = "connected from " + c->peer.ToString();
    }
    return false;
  }

  bool AllDone() const { return std::find(done_.begin(), done_.end(), false) == done_.end(); }

  Status Loop() {
    const auto end = Clock::now() + std::chrono::milliseconds(wait_ms_);
    std::vector<pollfd> fds;
    std::vector<std::pair<probe::Listener*, Connection*>> owners;
    while (!AllDone() && (Clock::now() < end || (busy_ && busy_->load()))) {
      if (options_.cancel && options_.cancel->load()) {
        return Status::Interrupted("checks interrupted");
      }
      fds.clear();
      owners.clear();
      for (auto& l : listeners_) {
        if (!l->fd.valid()) continue;
        fds.push_back({l->fd.get(), POLLIN, 0});
        owners.emplace_back(l.get(), nullptr);
      }
      for (auto& c : connections_) {
        fds.push_back({c->fd.get(), POLLIN, 0});
        owners.emplace_back(nullptr, c.get());
      }
      const int n = ::poll(fds.data(), fds.size(), 20);  // cancellation is noticed this soon
      if (n < 0 && errno != EINTR) return Status::FromErrno("poll", errno);
      std::vector<Connection*> finished;
      for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        if (owners[i].first) {
          Accept(owners[i].first);
        } else if (!Read(owners[i].second)) {
          finished.push_back(owners[i].second);
        }
      }
      std::erase_if(connections_, [&](const std::unique_ptr<Connection>& c) {
        return std::find(finished.begin(), finished.end(), c.get()) != finished.end();
      });
    }
    for (size_t i = 0; i < served_.size(); ++i) {
      if (done_[i]) continue;
      results_[i].detail =
          "nothing arrived (for at least " + std::to_string(wait_ms_ / 1000) + " s, its 'within')";
    }
    return Status::OK();
  }

  const std::vector<CheckSpec>& served_;
  const RunChecksOptions& options_;
  const std::atomic<bool>* busy_;
  std::vector<ServedResult>& results_;
  int wait_ms_ = 0;
  std::map<std::string, size_t> by_token_;
  std::vector<bool> done_;  // by served check: arrived, or cannot arrive
  std::vector<std::unique_ptr<probe::Listener>> listeners_;
  std::vector<probe::Listener*> listener_of_;  // by served check
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace

Status ServeChecks(const std::vector<CheckSpec>& served, const RunChecksOptions& options,
                   const std::atomic<bool>* busy, std::vector<ServedResult>* results) {
  Server server(served, options, busy, results);
  return server.Run();
}

}  // namespace topo
