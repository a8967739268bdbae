#include "kernel/nft_table.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "kernel/netns.h"

namespace topo {
namespace {

// One netlink message under construction: header, nfgenmsg, attributes.
class Message {
 public:
  Message(uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id, uint32_t seq) {
    nlmsghdr h = {};
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_REQUEST | flags;
    h.nlmsg_seq = seq;
    Append(&h, sizeof(h));
    nfgenmsg g = {};
    g.nfgen_family = family;
    g.version = NFNETLINK_V0;
    g.res_id = htons(res_id);
    Append(&g, sizeof(g));
  }
  void PutString(uint16_t type, const std::string& value) {
    nlattr a = {};
    a.nla_type = type;
    a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + value.size() + 1);
    Append(&a, sizeof(a));
    Append(value.c_str(), value.size() + 1);
  }
  // The finished message, its length set and padded.
  const std::vector<char>& Bytes() {
    reinterpret_cast<nlmsghdr*>(buf_.data())->nlmsg_len = static_cast<uint32_t>(buf_.size());
    return buf_;
  }

 private:
  void Append(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    buf_.insert(buf_.end(), p, p + n);
    buf_.resize(NLMSG_ALIGN(buf_.size()), 0);
  }
  std::vector<char> buf_;
};

uint16_t NftType(int msg) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg); }
uint8_t NfFamily(int family) { return family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4; }

class Socket {
 public:
  Status Open() {
    fd_.Reset(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd_.valid()) return Status::FromErrno("nfnetlink socket", errno);
    sockaddr_nl local = {};
    local.nl_family = AF_NETLINK;
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      return Status::FromErrno("bind nfnetlink socket", errno);
    }
    return Status::OK();
  }
  Status Send(const std::vector<char>& bytes) {
    sockaddr_nl kernel = {};
    kernel.nl_family = AF_NETLINK;
    ssize_t n = sendto(fd_.get(), bytes.data(), bytes.size(), 0,
                       reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
    if (n < 0) return Status::FromErrno("send nfnetlink", errno);
    return Status::OK();
  }
  // Reads replies until `each` returns true or NLMSG_DONE comes (or, with
  // `queued_only`, until nothing more is queued: a batch is processed within
  // the send, so its replies are all there). *error gets the first error the
  // kernel reported (a negative errno), if any.
  template <typename F>
  Status Receive(F each, int* error, bool queued_only = false) {
    *error = 0;
    std::vector<char> buf(1 << 16);
    for (;;) {
      ssize_t n = recv(fd_.get(), buf.data(), buf.size(), queued_only ? MSG_DONTWAIT : 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (queued_only && (errno == EAGAIN || errno == EWOULDBLOCK)) return Status::OK();
        return Status::FromErrno("receive nfnetlink", errno);
      }
      // NLMSG_OK/NLMSG_NEXT spelled out, without their mixed-sign comparison
      // and never stepping past the end of what arrived.
      const size_t got = static_cast<size_t>(n);
      for (size_t off = 0; got - off >= sizeof(nlmsghdr);) {
        auto* h = reinterpret_cast<nlmsghdr*>(buf.data() + off);
        if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > got - off) break;
        off += std::min<size_t>(NLMSG_ALIGN(h->nlmsg_len), got - off);
        if (h->nlmsg_type == NLMSG_ERROR) {
          const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
          if (e->error != 0 && *error == 0) *error = e->error;
          if (each(h)) return Status::OK();
          continue;
        }
        if (h->nlmsg_type == NLMSG_DONE || each(h)) return Status::OK();
      }
    }
  }

 private:
  UniqueFd fd_;
};

// The string attribute `type` of an nftables message, or "".
std::string StringAttr(const nlmsghdr* h, uint16_t type) {
  const char* p = static_cast<const char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(sizeof(nfgenmsg));
  int len = static_cast<int>(h->nlmsg_len) - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)));
  while (len >= static_cast<int>(NLA_HDRLEN)) {
    const auto* a = reinterpret_cast<const nlattr*>(p);
    if (a->nla_len < NLA_HDRLEN || a->nla_len > len) break;
    if ((a->nla_type & NLA_TYPE_MASK) == type) {
      return std::string(p + NLA_HDRLEN, strnlen(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN));
    }
    len -= NLA_ALIGN(a->nla_len);
    p += NLA_ALIGN(a->nla_len);
  }
  return "";
}

}  // namespace

Status NftTableExists(int family, const std::string& table, bool* exists) {
  Socket s;
  if (Status st = s.Open(); !st.ok()) return st;
  Message m(NftType(NFT_MSG_GETTABLE), NLM_F_ACK, NfFamily(family), 0, 1);
  m.PutString(NFTA_TABLE_NAME, table);
  if (Status st = s.Send(m.Bytes()); !st.ok()) return st;
  int error = 0;
  bool found = false;
  Status st = s.Receive(
      [&](const nlmsghdr* h) {
        if (h->nlmsg_type == NftType(NFT_MSG_NEWTABLE)) found = true;
        return h->nlmsg_type == NLMSG_ERROR;  // the ack ends the reply
      },
      &error);
  if (!st.ok()) return st;
  if (error != 0 && error != -ENOENT) return Status::FromErrno("nftables table " + table, -error);
  *exists = found && error == 0;
  return Status::OK();
}

Status NftRemoveTableIfEmpty(int family, const std::string& table, bool* removed) {
  *removed = false;
  Socket s;
  if (Status st = s.Open(); !st.ok()) return st;
  // The table's built-in chains, those iptables-nft makes (only when needed):
  // nat's PREROUTING, INPUT, OUTPUT and POSTROUTING, filter's INPUT, FORWARD
  // and OUTPUT. Any other chain stays, and then so does the table.
  Message dump(NftType(NFT_MSG_GETCHAIN), NLM_F_DUMP, NfFamily(family), 0, 1);
  if (Status st = s.Send(dump.Bytes()); !st.ok()) return st;
  std::vector<std::string> chains;
  int error = 0;
  Status st = s.Receive(
      [&](const nlmsghdr* h) {
        if (h->nlmsg_type != NftType(NFT_MSG_NEWCHAIN) ||
            StringAttr(h, NFTA_CHAIN_TABLE) != table) {
          return false;
        }
        const std::string name = StringAttr(h, NFTA_CHAIN_NAME);
        for (const char* builtin : {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}) {
          if (name == builtin) chains.push_back(name);
        }
        return false;
      },
      &error);
  if (!st.ok()) return st;
  if (error != 0) return Status::FromErrno("list nftables chains", -error);

  // One transaction: every chain, then the table, none recursively. The
  // kernel refuses the lot (EBUSY) if anything is left in any of them.
  std::vector<char> batch;
  uint32_t seq = 2;
  auto add = [&](Message& m) {
    const std::vector<char>& b = m.Bytes();
    batch.insert(batch.end(), b.begin(), b.end());
  };
  Message begin(NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
  add(begin);
  for (const std::string& chain : chains) {
    Message m(NftType(NFT_MSG_DELCHAIN), NLM_F_ACK | NLM_F_NONREC, NfFamily(family), 0, seq++);
    m.PutString(NFTA_CHAIN_TABLE, table);
    m.PutString(NFTA_CHAIN_NAME, chain);
    add(m);
  }
  Message del(NftType(NFT_MSG_DELTABLE), NLM_F_ACK | NLM_F_NONREC, NfFamily(family), 0, seq++);
  del.PutString(NFTA_TABLE_NAME, table);
  add(del);
  Message end(NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
  add(end);
  if (Status sent = s.Send(batch); !sent.ok()) return sent;
  // Each message is acknowledged; an aborted batch reports its errors instead.
  st = s.Receive([](const nlmsghdr*) { return false; }, &error, /*queued_only=*/true);
  if (!st.ok()) return st;
  if (error == -EBUSY || error == -ENOENT || error == -ENOTEMPTY) return Status::OK();
  if (error != 0) return Status::FromErrno("delete nftables table " + table, -error);
  *removed = true;
  return Status::OK();
}

}  // namespace topo
