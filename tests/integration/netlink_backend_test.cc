// Integration tests of NetlinkBackend and netns.h against the real kernel.
// Needs root: skipped otherwise, except in CI (CI=true) where that is a failure.
//
// Every namespace and interface name starts with "tnb<pid>-"; interfaces only
// ever exist inside the test's own namespaces. TearDown removes the test's
// namespaces by exact name, and checks that nothing with the prefix is left in
// /run/netns or in the root namespace.
#include "kernel/netlink_backend.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/iptables.h"
#include "kernel/netns.h"
#include "model/topology.h"

namespace topo {
namespace {

// Matchers without gmock (only gtest is linked).
::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess() << "'" << text << "' contains '" << part << "'";
  }
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

::testing::AssertionResult StartsWith(const std::string& text, const std::string& prefix) {
  if (text.rfind(prefix, 0) == 0) {
    return ::testing::AssertionSuccess() << "'" << text << "' starts with '" << prefix << "'";
  }
  return ::testing::AssertionFailure() << "'" << text << "' does not start with '" << prefix << "'";
}

Prefix P(const std::string& text) {
  std::string error;
  auto p = ParsePrefix(text, &error);
  EXPECT_TRUE(p.has_value()) << text << ": " << error;
  return p.value_or(Prefix());
}

IpAddress A(const std::string& text) {
  auto a = ParseIp(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Grep(const std::vector<std::string>& names, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  }
  return out;
}

// Interface names of the calling thread's namespace (no program spawned).
std::vector<std::string> LinkNames() {
  std::vector<std::string> names;
  if (struct if_nameindex* list = if_nameindex()) {
    for (struct if_nameindex* i = list; i->if_index != 0; ++i) names.push_back(i->if_name);
    if_freenameindex(list);
  }
  return names;
}

std::vector<std::string> NetnsNames() {
  std::vector<std::string> names;
  if (DIR* d = opendir(kDefaultNetnsDir)) {
    while (dirent* e = readdir(d)) names.push_back(e->d_name);
    closedir(d);
  }
  return names;
}

const InterfaceState* FindInterface(const NamespaceState& st, const std::string& name) {
  for (const auto& i : st.interfaces) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

// Inspected routes, as `ip route` prints them.
std::vector<std::string> Texts(const std::vector<RouteState>& routes) {
  std::vector<std::string> out;
  for (const RouteState& r : routes) out.push_back(r.ToString());
  return out;
}
bool Contains(const std::vector<RouteState>& v, const std::string& s) {
  return Contains(Texts(v), s);
}
std::string Joined(const std::vector<RouteState>& v) { return Joined(Texts(v)); }

class NetlinkBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      const char* ci = std::getenv("CI");
      if (ci && std::string(ci) == "true") {
        FAIL() << "netlink integration tests need root (CI=true, so not skipping)";
      }
      GTEST_SKIP() << "netlink integration tests need root";
    }
    prefix_ = "tnb" + std::to_string(getpid()) + "-";
    ASSERT_TRUE(Grep(LinkNames(), prefix_).empty());
  }

  void TearDown() override {
    if (prefix_.empty()) return;  // skipped
    for (const std::string& ns : created_) {
      Status s = backend_.DeleteNamespace(ns);
      EXPECT_TRUE(s.ok() || s.IsNotFound()) << ns << ": " << s.ToString();
    }
    EXPECT_EQ(Grep(NetnsNames(), prefix_), std::vector<std::string>());
    EXPECT_EQ(Grep(LinkNames(), prefix_), std::vector<std::string>());
  }

  // A namespace name of this test, deleted (by this exact name) in TearDown.
  std::string Name(const std::string& suffix) {
    std::string name = prefix_ + suffix;
    created_.push_back(name);
    return name;
  }

  // Runs a program inside `ns`; returns its output and sets *rc.
  std::string Run(const std::string& ns, const std::vector<std::string>& argv, int* rc,
                  const std::string& input = "") {
    UniqueFd fd;
    Status s = OpenNetns(ns, &fd);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::string output;
    *rc = RunInNamespace(fd.get(), argv, input, &output);
    return output;
  }

  // Two namespaces a and b joined by a veth (a:<prefix>a <-> b:<prefix>b),
  // both ends up, 10.99.0.1/24 + fd00:99::1/64 on a, .2 / ::2 on b.
  void BuildPair() {
    ns_a_ = Name("a");
    ns_b_ = Name("b");
    if_a_ = prefix_ + "a";
    if_b_ = prefix_ + "b";
    ASSERT_TRUE(backend_.CreateNamespace(ns_a_).ok());
    ASSERT_TRUE(backend_.CreateNamespace(ns_b_).ok());
    Status s = backend_.CreateVeth(ns_a_, if_a_, ns_b_, if_b_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (auto [ns, ifname, v4, v6] : {std::tuple{ns_a_, if_a_, "10.99.0.1/24", "fd00:99::1/64"},
                                      std::tuple{ns_b_, if_b_, "10.99.0.2/24", "fd00:99::2/64"}}) {
      ASSERT_TRUE((s = backend_.SetLinkUp(ns, ifname, true)).ok()) << s.ToString();
      ASSERT_TRUE((s = backend_.AddAddress(ns, ifname, P(v4))).ok()) << s.ToString();
      ASSERT_TRUE((s = backend_.AddAddress(ns, ifname, P(v6))).ok()) << s.ToString();
    }
  }

  NetlinkBackend backend_;
  std::string prefix_;
  std::vector<std::string> created_;
  std::string ns_a_, ns_b_, if_a_, if_b_;
};

TEST_F(NetlinkBackendTest, CreateAndDeleteNamespace) {
  std::string ns = Name("ns");
  EXPECT_FALSE(backend_.NamespaceExists(ns));
  Status s = backend_.CreateNamespace(ns);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(backend_.NamespaceExists(ns));
  EXPECT_TRUE(Contains(NetnsNames(), ns));

  s = backend_.CreateNamespace(ns);
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_EQ(s.message(), "namespace '" + ns + "' already exists");
  EXPECT_TRUE(backend_.NamespaceExists(ns));  // the failed attempt undid nothing of it

  // The new namespace has its own loopback and nothing else.
  NamespaceState st;
  ASSERT_TRUE(backend_.Inspect(ns, &st).ok());
  EXPECT_TRUE(st.exists);
  ASSERT_EQ(st.interfaces.size(), 1u);
  EXPECT_EQ(st.interfaces[0].name, "lo");

  EXPECT_TRUE(backend_.DeleteNamespace(ns).ok());
  EXPECT_FALSE(backend_.NamespaceExists(ns));
  EXPECT_FALSE(Contains(NetnsNames(), ns));
  s = backend_.DeleteNamespace(ns);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "namespace '" + ns + "' does not exist");

  ASSERT_TRUE(backend_.Inspect(ns, &st).ok());
  EXPECT_FALSE(st.exists);
}

TEST_F(NetlinkBackendTest, OperationsInAMissingNamespaceAreNotFound) {
  std::string ns = Name("missing");
  Status s = backend_.SetLinkUp(ns, "lo", true);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "namespace '" + ns + "' does not exist");
  EXPECT_TRUE(backend_.DeleteVeth(ns, "x").IsNotFound());
}

TEST_F(NetlinkBackendTest, VethAcrossNamespaces) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  // Nothing appeared in the root namespace.
  EXPECT_EQ(Grep(LinkNames(), prefix_), std::vector<std::string>());

  Status s = backend_.SetMtu(ns_a_, if_a_, 1400);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(backend_.SetMtu(ns_b_, if_b_, 1400).ok());
  MacAddress mac = *ParseMac("02:00:00:99:00:01");
  s = backend_.SetMac(ns_a_, if_a_, mac);
  ASSERT_TRUE(s.ok()) << s.ToString();

  NamespaceState st;
  ASSERT_TRUE(backend_.Inspect(ns_a_, &st).ok());
  const InterfaceState* a = FindInterface(st, if_a_);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->up);
  EXPECT_EQ(a->mtu, 1400);
  EXPECT_EQ(a->mac, "02:00:00:99:00:01");
  EXPECT_EQ(a->addresses, (std::vector<std::string>{"10.99.0.1/24", "fd00:99::1/64"}));
  const InterfaceState* lo = FindInterface(st, "lo");
  ASSERT_NE(lo, nullptr);
  EXPECT_FALSE(lo->up);
  EXPECT_EQ(FindInterface(st, if_b_), nullptr);

  ASSERT_TRUE(backend_.Inspect(ns_b_, &st).ok());
  const InterfaceState* b = FindInterface(st, if_b_);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->up);
  EXPECT_EQ(b->mtu, 1400);
  EXPECT_EQ(b->addresses, (std::vector<std::string>{"10.99.0.2/24", "fd00:99::2/64"}));

  // Link down and up again.
  ASSERT_TRUE(backend_.SetLinkUp(ns_b_, if_b_, false).ok());
  ASSERT_TRUE(backend_.Inspect(ns_b_, &st).ok());
  EXPECT_FALSE(FindInterface(st, if_b_)->up);
  ASSERT_TRUE(backend_.SetLinkUp(ns_b_, if_b_, true).ok());

  // The program runner really runs inside the namespace: /proc/net is per namespace.
  int rc = -1;
  std::string dev = Run(ns_a_, {"/bin/cat", "/proc/net/dev"}, &rc);
  EXPECT_EQ(rc, 0) << dev;
  EXPECT_TRUE(HasSubstr(dev, if_a_ + ":"));
  EXPECT_FALSE(HasSubstr(dev, if_b_ + ":"));
}

TEST_F(NetlinkBackendTest, ErrorsCarryTheKernelsText) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  Status s = backend_.CreateVeth(ns_a_, if_a_, ns_b_, prefix_ + "c");
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "File exists"));

  s = backend_.AddAddress(ns_a_, if_a_, P("10.99.0.1/24"));
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "File exists"));
  s = backend_.AddAddress(ns_a_, if_a_, P("fd00:99::1/64"));
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "File exists"));

  s = backend_.SetMtu(ns_a_, prefix_ + "none", 1400);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "No such device"));
  s = backend_.AddAddress(ns_a_, prefix_ + "none", P("10.98.0.1/24"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "No such device"));

  // libnl would truncate a name this long; the backend refuses it instead.
  s = backend_.CreateVeth(ns_a_, prefix_ + "0123456789abcdef", ns_b_, prefix_ + "c");
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();

  s = backend_.SetMtu(ns_a_, if_a_, 1);  // below the minimum
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(StartsWith(s.message(), "Invalid argument"));
}

TEST_F(NetlinkBackendTest, DeletionsAreNotFoundOnceGone) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  Status s = backend_.DeleteAddress(ns_a_, if_a_, P("10.99.0.1/24"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = backend_.DeleteAddress(ns_a_, if_a_, P("10.99.0.1/24"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ASSERT_TRUE(backend_.DeleteAddress(ns_a_, if_a_, P("fd00:99::1/64")).ok());
  EXPECT_TRUE(backend_.DeleteAddress(ns_a_, if_a_, P("fd00:99::1/64")).IsNotFound());

  Route r;
  r.to = P("10.97.0.0/24");
  r.family = 4;
  r.via = A("10.99.0.1");
  r.dev = if_b_;
  ASSERT_TRUE((s = backend_.AddRoute(ns_b_, r)).ok()) << s.ToString();
  ASSERT_TRUE((s = backend_.DeleteRoute(ns_b_, r)).ok()) << s.ToString();
  s = backend_.DeleteRoute(ns_b_, r);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();

  ASSERT_TRUE((s = backend_.DeleteVeth(ns_a_, if_a_)).ok()) << s.ToString();
  s = backend_.DeleteVeth(ns_a_, if_a_);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "No such device"));
  // The peer went with it.
  EXPECT_TRUE(backend_.DeleteVeth(ns_b_, if_b_).IsNotFound());
  NamespaceState st;
  ASSERT_TRUE(backend_.Inspect(ns_b_, &st).ok());
  EXPECT_EQ(FindInterface(st, if_b_), nullptr);

  // Re-created under the same names: cached interface indexes must not be stale.
  ASSERT_TRUE((s = backend_.CreateVeth(ns_a_, if_a_, ns_b_, if_b_)).ok()) << s.ToString();
  ASSERT_TRUE((s = backend_.AddAddress(ns_b_, if_b_, P("10.99.0.2/24"))).ok()) << s.ToString();
}

TEST_F(NetlinkBackendTest, RoutesAndInspect) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  Route def;
  def.family = 4;
  def.via = A("10.99.0.2");
  def.dev = if_a_;
  Status s = backend_.AddRoute(ns_a_, def);
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = backend_.AddRoute(ns_a_, def);
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), "File exists"));

  Route via_only;  // no dev: the kernel finds it
  via_only.to = P("10.98.0.0/24");
  via_only.family = 4;
  via_only.via = A("10.99.0.2");
  via_only.metric = 50;
  ASSERT_TRUE((s = backend_.AddRoute(ns_a_, via_only)).ok()) << s.ToString();

  Route def6;
  def6.family = 6;
  def6.via = A("fd00:99::2");
  def6.dev = if_a_;
  ASSERT_TRUE((s = backend_.AddRoute(ns_a_, def6)).ok()) << s.ToString();

  Route unreachable;
  unreachable.to = P("10.96.0.0/24");
  unreachable.family = 4;
  unreachable.via = A("10.95.0.1");
  s = backend_.AddRoute(ns_a_, unreachable);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), ENETUNREACH) << s.ToString();

  NamespaceState st;
  ASSERT_TRUE(backend_.Inspect(ns_a_, &st).ok());
  EXPECT_TRUE(Contains(st.routes, "default via 10.99.0.2 dev " + if_a_)) << Joined(st.routes);
  EXPECT_TRUE(Contains(st.routes, "10.98.0.0/24 via 10.99.0.2 dev " + if_a_ + " metric 50"))
      << Joined(st.routes);
  EXPECT_TRUE(
      Contains(st.routes, "10.99.0.0/24 dev " + if_a_ + " proto kernel scope link src 10.99.0.1"))
      << Joined(st.routes);
  EXPECT_TRUE(Contains(st.routes, "default via fd00:99::2 dev " + if_a_ + " metric 1024"))
      << Joined(st.routes);
  // The local table stays out.
  for (const auto& r : st.routes) EXPECT_FALSE(StartsWith(r.ToString(), "local "));
}

TEST_F(NetlinkBackendTest, TrafficCrossesTheVeth) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  for (auto [family, to] : {std::pair{AF_INET, "10.99.0.2"}, std::pair{AF_INET6, "fd00:99::2"}}) {
    SCOPED_TRACE(to);
    // Sockets belong to the namespace the thread is in when they are created.
    UniqueFd fd_a, fd_b;
    ASSERT_TRUE(OpenNetns(ns_a_, &fd_a).ok());
    ASSERT_TRUE(OpenNetns(ns_b_, &fd_b).ok());
    UniqueFd rx, tx;
    {
      NetnsGuard guard;
      ASSERT_TRUE(guard.Enter(fd_b.get()).ok());
      rx.Reset(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      ASSERT_TRUE(guard.Leave().ok());
      ASSERT_TRUE(guard.Enter(fd_a.get()).ok());
      tx.Reset(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    }
    ASSERT_TRUE(rx.valid() && tx.valid());
    sockaddr_storage ss = {};
    socklen_t len;
    if (family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(40999);
      inet_pton(AF_INET, to, &sin->sin_addr);
      len = sizeof(*sin);
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(40999);
      inet_pton(AF_INET6, to, &sin6->sin6_addr);
      len = sizeof(*sin6);
    }
    ASSERT_EQ(bind(rx.get(), reinterpret_cast<sockaddr*>(&ss), len), 0) << strerror(errno);
    ASSERT_EQ(sendto(tx.get(), "hello", 5, 0, reinterpret_cast<sockaddr*>(&ss), len), 5)
        << strerror(errno);
    pollfd pfd = {rx.get(), POLLIN, 0};
    ASSERT_EQ(poll(&pfd, 1, 5000), 1) << "nothing arrived";
    char buf[16] = {};
    EXPECT_EQ(recv(rx.get(), buf, sizeof(buf), 0), 5);
    EXPECT_STREQ(buf, "hello");
  }
}

TEST_F(NetlinkBackendTest, SysctlInsideTheNamespaceOnly) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  std::string root_before = ReadWholeFile("/proc/sys/net/ipv4/ip_forward");
  std::string previous;
  Status s = backend_.SetSysctl(ns_a_, "net.ipv4.ip_forward", "1", &previous);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(previous, "0");  // a new namespace does not forward
  ASSERT_TRUE(backend_.SetSysctl(ns_a_, "net.ipv4.ip_forward", "1", &previous).ok());
  EXPECT_EQ(previous, "1");
  int rc = -1;
  EXPECT_EQ(Run(ns_a_, {"/bin/cat", "/proc/sys/net/ipv4/ip_forward"}, &rc), "1\n");
  EXPECT_EQ(Run(ns_b_, {"/bin/cat", "/proc/sys/net/ipv4/ip_forward"}, &rc), "0\n");
  EXPECT_EQ(ReadWholeFile("/proc/sys/net/ipv4/ip_forward"), root_before);

  // Per-interface keys, with the interface's name in the key.
  s = backend_.SetSysctl(ns_a_, "net.ipv6.conf." + if_a_ + ".forwarding", "1", &previous);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(previous, "0");

  s = backend_.SetSysctl(ns_a_, "net.ipv4.no_such_key", "1", &previous);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "/proc/sys/net/ipv4/no_such_key: No such file or directory");
  s = backend_.SetSysctl(ns_a_, "net.ipv4.ip_forward", "banana", &previous);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(HasSubstr(s.message(), "Invalid argument"));
  EXPECT_FALSE(backend_.SetSysctl(ns_a_, "net/../../etc", "1", nullptr).ok());
}

// The settings netconf reports are read through it (kernel/netconf.h), the
// rest from /proc/sys: both give what /proc/sys in the namespace says, for
// each value set through the file.
TEST_F(NetlinkBackendTest, SysctlsReadThroughNetconfAgreeWithTheFile) {
  const std::string ns = Name("nc");
  ASSERT_TRUE(backend_.CreateNamespace(ns).ok());
  for (auto [key, path, values] :
       {std::tuple{"net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "101"},
        std::tuple{"net.ipv4.conf.all.forwarding", "/proc/sys/net/ipv4/conf/all/forwarding", "10"},
        std::tuple{"net.ipv4.conf.default.forwarding", "/proc/sys/net/ipv4/conf/default/forwarding",
                   "10"},
        std::tuple{"net.ipv6.conf.all.forwarding", "/proc/sys/net/ipv6/conf/all/forwarding", "10"},
        std::tuple{"net.ipv6.conf.default.forwarding", "/proc/sys/net/ipv6/conf/default/forwarding",
                   "10"},
        std::tuple{"net.ipv4.conf.all.rp_filter", "/proc/sys/net/ipv4/conf/all/rp_filter", "210"},
        std::tuple{"net.ipv4.conf.default.rp_filter", "/proc/sys/net/ipv4/conf/default/rp_filter",
                   "120"},
        std::tuple{"net.ipv4.conf.lo.rp_filter", "/proc/sys/net/ipv4/conf/lo/rp_filter", "21"}}) {
    for (const char* v = values; *v; ++v) {
      const std::string value(1, *v);
      Status s = backend_.SetSysctl(ns, key, value, nullptr);
      ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
      std::string read;
      ASSERT_TRUE((s = backend_.ReadSysctl(ns, key, &read)).ok()) << key << ": " << s.ToString();
      EXPECT_EQ(read, value) << key;
      int rc = -1;
      EXPECT_EQ(Run(ns, {"/bin/cat", path}, &rc), value + "\n") << key;
    }
  }
}

TEST_F(NetlinkBackendTest, SnatRules) {
  ASSERT_NO_FATAL_FAILURE(BuildPair());
  std::string comment = "topo:" + prefix_ + "lab";
  // As iptables-save shows them.
  std::string rule = "-A POSTROUTING -s 10.99.0.0/24 -o " + if_a_ + " -m comment --comment \"" +
                     comment + "\" -j SNAT --to-source 10.99.0.1";
  Status s = backend_.AddSnat(ns_a_, {SnatSpec{P("10.99.0.0/24"), if_a_, A("10.99.0.1"), comment}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string rule6 = "-A POSTROUTING -s fd00:99::/64 -o " + if_a_ + " -m comment --comment \"" +
                      comment + "\" -j MASQUERADE";
  s = backend_.AddSnat(ns_a_, {SnatSpec{P("fd00:99::/64"), if_a_, std::nullopt, comment}});
  ASSERT_TRUE(s.ok()) << s.ToString();

  int rc = -1;
  std::string saved = Run(ns_a_, {"/usr/sbin/iptables-save", "-t", "nat"}, &rc);
  EXPECT_EQ(rc, 0) << saved;
  EXPECT_TRUE(HasSubstr(saved, rule + "\n"));
  std::string saved6 = Run(ns_a_, {"/usr/sbin/ip6tables-save", "-t", "nat"}, &rc);
  EXPECT_EQ(rc, 0) << saved6;
  EXPECT_TRUE(HasSubstr(saved6, rule6 + "\n"));
  // Nowhere else: not in the other namespace, not in the root namespace.
  EXPECT_FALSE(HasSubstr(Run(ns_b_, {"/usr/sbin/iptables-save", "-t", "nat"}, &rc), comment));
  std::string root_saved;
  EXPECT_EQ(RunInNamespace(-1, {"/usr/sbin/iptables-save", "-t", "nat"}, "", &root_saved), 0);
  EXPECT_FALSE(HasSubstr(root_saved, comment));

  // What the kernel says of input topo never writes (iptables.h).
  UniqueFd fd;
  ASSERT_TRUE(OpenNetns(ns_a_, &fd).ok());
  s = IptablesRestore(fd.get(), false, "*nat\n-A NOSUCHCHAIN -j ACCEPT\nCOMMIT\n");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(StartsWith(s.message(), "iptables-restore exited with status "));
}

TEST_F(NetlinkBackendTest, RunInNamespaceBasics) {
  std::string ns = Name("run");
  ASSERT_TRUE(backend_.CreateNamespace(ns).ok());
  UniqueFd fd;
  ASSERT_TRUE(OpenNetns(ns, &fd).ok());
  std::string out;
  // A large input through cat exercises feeding and draining at once.
  std::string big(1 << 20, 'x');
  EXPECT_EQ(RunInNamespace(fd.get(), {"/bin/cat"}, big, &out), 0);
  EXPECT_EQ(out.size(), big.size());
  EXPECT_TRUE(out == big);
  EXPECT_EQ(RunInNamespace(fd.get(), {"/bin/false"}, "", &out), 1);
  EXPECT_EQ(RunInNamespace(fd.get(), {"/bin/true"}, "ignored input", &out), 0);
  EXPECT_EQ(RunInNamespace(fd.get(), {"/nonexistent/program"}, "", &out), -1);
  EXPECT_EQ(out, "cannot execute /nonexistent/program: No such file or directory");
  EXPECT_EQ(RunInNamespace(fd.get(), {"cat"}, "", &out), -1);  // not an absolute path
  EXPECT_EQ(RunInNamespace(fd.get(), {"/bin/ls", "/nonexistent"}, "", &out), 2);
  EXPECT_TRUE(HasSubstr(out, "No such file or directory"));  // stderr is collected
}

}  // namespace
}  // namespace topo
