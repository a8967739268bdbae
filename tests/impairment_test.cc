// Impairments and names without privileges: the value parsers and formats,
// the checks that relate values, compilation (merging a link's impairment with
// an interface's, the hosts and resolv.conf files), the golden plan of the
// shipped impaired-wan lab, `set-link` against the recording backend with a
// private state directory, and /etc/netns files written into a temporary tree.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pkt_sched.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/utils.h>
#include <filesystem>
#include <fstream>

#include <cstring>
#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "kernel/netlink_qdisc.h"
#include "kernel/netns_files.h"
#include "lab/lab.h"
#include "lab/set_link.h"
#include "model/impairment.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

Impairment Parse(const std::string& key, const std::string& text) {
  Impairment i;
  auto e = ParseImpairmentValue(key, text, &i);
  EXPECT_FALSE(e) << key << " " << text << ": " << (e ? e->message : "");
  return i;
}

std::string Error(const std::string& key, const std::string& text) {
  Impairment i;
  auto e = ParseImpairmentValue(key, text, &i);
  return e ? e->message + " | " + e->hint : "no error";
}

TEST(ImpairmentValueTest, TimesInTheirUnits) {
  EXPECT_EQ(Parse("delay", "10ms").delay_us, 10'000);
  EXPECT_EQ(Parse("delay", "1.5s").delay_us, 1'500'000);
  EXPECT_EQ(Parse("jitter", "250us").jitter_us, 250);
  EXPECT_EQ(Parse("delay", "0ms").delay_us, 0);
  EXPECT_EQ(Error("delay", "10"),
            "delay 10 has no unit | write 10ms, 10us or 10s (units: us, ms, s)");
  EXPECT_EQ(Error("delay", "soon"),
            "delay 'soon' is not a time | write a number and a unit: 250us, 10ms or 1.5s");
  EXPECT_EQ(Error("delay", "2min"), "delay '2min' has an unknown unit 'min' | units: us, ms, s");
  EXPECT_EQ(Error("delay", "90s"),
            "delay 90s is more than 60s | netem delays are at most 60s here");
  EXPECT_EQ(Error("delay", "-5ms"), "delay -5ms is negative | ");
  EXPECT_EQ(Error("delay", "0.5us"),
            "delay 0.5us is finer than a microsecond | netem counts time in microseconds");
}

TEST(ImpairmentValueTest, Percentages) {
  EXPECT_EQ(Parse("loss", "1.5%").loss, 1.5);
  EXPECT_EQ(Parse("corrupt", "100%").corrupt, 100.0);
  EXPECT_EQ(Error("loss", "150%"), "loss 150% is more than 100% | percentages go from 0% to 100%");
  EXPECT_EQ(
      Error("loss", "0.5"),
      "loss 0.5 has no '%' | write it as a percentage: 0.5% (or 50% if you meant a fraction)");
  EXPECT_EQ(Error("duplicate", "lots"), "duplicate 'lots' is not a percentage | write e.g. 1.5%");
}

TEST(ImpairmentValueTest, RatesAsTcReadsThem) {
  EXPECT_EQ(Parse("rate", "100mbit").rate_bps, 100'000'000u);
  EXPECT_EQ(Parse("rate", "1gbit").rate_bps, 1'000'000'000u);
  EXPECT_EQ(Parse("rate", "500kbit").rate_bps, 500'000u);
  EXPECT_EQ(Parse("rate", "10mbps").rate_bps, 80'000'000u);  // bytes per second, as in tc
  EXPECT_EQ(Parse("rate", "1.5Mbit").rate_bps, 1'500'000u);
  const std::string hint =
      "write a number and a unit: 500kbit, 100mbit or 1gbit (bits per second), or 10mbps (bytes "
      "per second, as tc reads it)";
  EXPECT_EQ(Error("rate", "fast"), "rate 'fast' is not a rate | " + hint);
  EXPECT_EQ(Error("rate", "100"), "rate 100 has no unit | " + hint);
  EXPECT_EQ(Error("rate", "100mb"), "rate '100mb' has an unknown unit 'mb' | " + hint);
  EXPECT_EQ(Error("rate", "1kbit"),
            "rate 1kbit is less than 8kbit | rates go from 8kbit to 10gbit");
  EXPECT_EQ(Error("rate", "40gbit"),
            "rate 40gbit is more than 10gbit | rates go from 8kbit to 10gbit");
}

TEST(ImpairmentValueTest, CanonicalTextAndJsonRoundTrip) {
  Impairment i;
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"delay", "1500ms"}, {"jitter", "2ms"}, {"loss", "0.25%"}, {"rate", "10mbps"}}) {
    ASSERT_FALSE(ParseImpairmentValue(k, v, &i));
  }
  EXPECT_EQ(i.ToString(), "delay 1500ms jitter 2ms loss 0.25% rate 80mbit");
  Impairment back;
  ASSERT_TRUE(ImpairmentFromJson(ImpairmentToJson(i), &back).ok());
  EXPECT_EQ(back, i);
  EXPECT_EQ(Impairment{}.ToString(), "none");
  EXPECT_EQ(NetemProbability(100), 4294967295u);
  EXPECT_EQ(NetemProbability(0), 0u);
  EXPECT_EQ(NetemProbability(50), 2147483648u);
}

TEST(ImpairmentValueTest, TcCommandsForTheShellScript) {
  Impairment rate_only = Parse("rate", "1mbit");
  EXPECT_EQ(
      ImpairmentTcCommands("tc X", rate_only),
      (std::vector<std::string>{"tc X root handle 1: tbf rate 1mbit burst 32768 limit 39018"}));
  Impairment both = rate_only.Merged(Parse("delay", "10ms"));
  EXPECT_EQ(ImpairmentTcCommands("tc X", both),
            (std::vector<std::string>{
                "tc X root handle 1: netem delay 10ms",
                "tc X parent 1:1 handle 10: tbf rate 1mbit burst 32768 limit 39018"}));
}

TEST(ImpairmentValueTest, ValuesThatDoNotGoTogether) {
  Impairment i = Parse("jitter", "5ms").Merged(Parse("reorder", "25%"));
  auto problems = ImpairmentProblems(i);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].message, "jitter 5ms needs a delay");
  EXPECT_EQ(problems[1].message, "reorder 25% needs a delay");
  problems = ImpairmentProblems(Parse("delay", "10ms").Merged(Parse("jitter", "20ms")));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].warning);
  EXPECT_EQ(problems[0].message, "jitter 20ms is larger than the delay 10ms");
}

constexpr const char* kLab = R"(name: imp
nodes:
  a:
    interfaces:
      eth0:
        addresses: [10.0.0.1/24, 2001:db8::1/64, fe80::1/64]
        impair: {delay: 5ms, rate: 1mbit}
      lo: [127.0.0.2/8, 1.1.1.1/32]
    dns: [10.0.0.53, 2001:db8::53]
  b:
    interfaces:
      eth0: [10.0.0.2/24]
links:
  - endpoints: [a:eth0, b:eth0]
    impair: {delay: 50ms, loss: 1%}
)";

Plan CompileText(const std::string& yaml) {
  DiagnosticList diags;
  auto t = testing::ValidateText(yaml, &diags);
  EXPECT_TRUE(t) << testing::Brief(diags);
  return t ? Compile(*t, "test.yaml") : Plan{};
}

std::vector<const Action*> OfKind(const Plan& p, ActionKind k) {
  std::vector<const Action*> out;
  for (const Action& a : p.actions)
    if (a.kind == k) out.push_back(&a);
  return out;
}

TEST(ImpairmentCompileTest, InterfaceKeysOverrideTheLinksForTheirDirection) {
  Plan p = CompileText(kLab);
  auto imp = OfKind(p, ActionKind::kSetImpairment);
  ASSERT_EQ(imp.size(), 2u);
  EXPECT_EQ(Describe(*imp[0]), "impair a:eth0 delay 5ms loss 1% rate 1mbit");
  EXPECT_EQ(Describe(*imp[1]), "impair b:eth0 delay 50ms loss 1%");
  EXPECT_EQ(DescribeInverse(*imp[0]), "clear impairment a:eth0");
  EXPECT_TRUE(imp[0]->MootAfterNamespaceRemoval());
}

TEST(NamesCompileTest, OneHostsFileForEveryNamespaceAndResolvConfWhereAsked) {
  Plan p = CompileText(kLab);
  auto files = OfKind(p, ActionKind::kWriteEtcFile);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0]->key(), "hosts");
  EXPECT_EQ(files[0]->value(),
            "# hosts of lab 'imp', written by topo and removed by `topo down`\n"
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "10.0.0.1\ta\n"
            "2001:db8::1\ta\n"
            "1.1.1.1\ta\n"
            "10.0.0.2\tb\n");
  EXPECT_EQ(files[1]->peer_ns(), "a");
  EXPECT_EQ(Describe(*files[1]), "link /etc/netns/b/hosts to /etc/netns/a/hosts");
  EXPECT_EQ(files[2]->key(), "resolv.conf");
  EXPECT_EQ(files[2]->value(),
            "# resolv.conf of node 'a' of lab 'imp', written by topo and removed by `topo down`\n"
            "nameserver 10.0.0.53\nnameserver 2001:db8::53\n");
  EXPECT_FALSE(files[0]->MootAfterNamespaceRemoval());
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
}

TEST(ImpairmentCompileTest, ShippedLabGoldenPlans) {
  Plan p = testing::ShippedPlan("topologies/impaired-wan.yaml");
  ExpectGolden("impaired-wan.plan.txt", FormatPlanText(p));
  ExpectGolden("impaired-wan.up.sh", FormatPlanShell(p, false));
  ExpectGolden("impaired-wan.down.sh", FormatPlanShell(p, true));
}

class SetLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    plan_ = CompileText(kLab);
    StateStore store(dir_);
    ASSERT_TRUE(Up(plan_, b_, store).status.ok());
  }
  Status Set(const std::string& end, std::vector<std::pair<std::string, std::string>> values,
             bool clear = false, bool both = false, SetLinkResult* result = nullptr) {
    SetLinkRequest req;
    req.endpoint = end;
    req.clear = clear;
    req.both = both;
    for (const auto& [k, v] : values) EXPECT_FALSE(ParseImpairmentValue(k, v, &req.changes));
    StateStore store(dir_);
    SetLinkResult r;
    return SetLink(req, b_, store, result ? result : &r);
  }

  LabStatus StatusNow() {
    StateStore store(dir_);
    LabStatus st;
    EXPECT_TRUE(GetLabStatus("imp", b_, store, &st).ok());
    return st;
  }

  testing::TempDir tmp_{"topo-setlink"};
  std::string dir_;
  Plan plan_;
  RecordingBackend b_;
};

TEST_F(SetLinkTest, ChangesOnlyTheKeysGivenAndTheJournalKeepsTrack) {
  SetLinkResult r;
  ASSERT_TRUE(Set("b:eth0", {{"delay", "10ms"}, {"rate", "2mbit"}}, false, false, &r).ok());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].before.ToString(), "delay 50ms loss 1%");
  EXPECT_EQ(b_.ImpairmentOf("b", "eth0"), "delay 10ms loss 1% rate 2mbit");
  EXPECT_EQ(b_.ImpairmentOf("a", "eth0"), "delay 5ms loss 1% rate 1mbit");
  LabStatus st = StatusNow();
  EXPECT_EQ(st.impairments.at("b:eth0").ToString(), "delay 10ms loss 1% rate 2mbit");
  EXPECT_TRUE(st.drift.empty());
  // --clear, then only what is given; both ends.
  ASSERT_TRUE(Set("a:eth0", {{"loss", "100%"}}, true, true).ok());
  EXPECT_EQ(b_.ImpairmentOf("a", "eth0"), "loss 100%");
  EXPECT_EQ(b_.ImpairmentOf("b", "eth0"), "loss 100%");
  ASSERT_TRUE(Set("a:eth0", {}, true, true).ok());
  EXPECT_EQ(b_.ImpairmentOf("a", "eth0"), "none");
  EXPECT_TRUE(StatusNow().impairments.empty());
  // Down is unaffected.
  StateStore store(dir_);
  EXPECT_TRUE(Down("imp", b_, store).status.ok());
  EXPECT_TRUE(b_.Empty());
}

TEST_F(SetLinkTest, RefusesValuesThatDoNotGoTogetherAndUnknownEnds) {
  size_t calls = b_.calls().size();
  Status s = Set("b:eth0", {{"delay", "0ms"}, {"jitter", "5ms"}});
  EXPECT_TRUE(s.code() == Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "b:eth0: jitter 5ms needs a delay (netem varies the delay by the jitter: add one, "
            "e.g. delay: 10ms); nothing was changed");
  s = Set("b:eth1", {{"delay", "1ms"}});
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "node 'b' has no link end 'eth1' in lab 'imp' (did you mean 'eth0'?)");
  EXPECT_TRUE(Set("c:eth0", {{"delay", "1ms"}}).IsNotFound());
  EXPECT_EQ(Set("b-eth0", {}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(b_.calls().size(), calls);
}

TEST_F(SetLinkTest, AKernelRefusalPutsEveryEndBack) {
  b_.FailAt(b_.mutating_calls() + 1);  // the second end
  Status s = Set("a:eth0", {{"delay", "70ms"}}, false, true);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the previous impairments are back"), std::string::npos)
      << s.message();
  EXPECT_EQ(b_.ImpairmentOf("a", "eth0"), "delay 5ms loss 1% rate 1mbit");
  EXPECT_EQ(b_.ImpairmentOf("b", "eth0"), "delay 50ms loss 1%");
  LabStatus st = StatusNow();
  EXPECT_EQ(st.impairments.at("a:eth0").ToString(), "delay 5ms loss 1% rate 1mbit");
  EXPECT_EQ(st.impairments.at("b:eth0").ToString(), "delay 50ms loss 1%");
  EXPECT_TRUE(st.drift.empty());
}

TEST_F(SetLinkTest, AChangeInterruptedByACrashShowsInStatus) {
  StateStore store(dir_);
  ASSERT_TRUE(store.Open().ok());
  Journal j;
  ASSERT_TRUE(store.OpenJournal("imp", &j).ok());
  Impairment target = Parse("delay", "80ms");
  ASSERT_TRUE(j.BeginLinkChange({"b", "b", "eth0", target}).ok());
  LabStatus st = StatusNow();
  ASSERT_EQ(st.drift.size(), 1u);
  EXPECT_EQ(st.drift[0],
            "a set-link of 'b:eth0' did not finish (to make it delay 80ms); run it again");
  // Running it again finishes it.
  ASSERT_TRUE(Set("b:eth0", {{"delay", "80ms"}}, true).ok());
  st = StatusNow();
  EXPECT_TRUE(st.drift.empty());
  EXPECT_EQ(b_.ImpairmentOf("b", "eth0"), "delay 80ms");
}

// The requests NetlinkBackend sends, read back without a kernel: netem's
// values as the kernel's struct, and the token bucket's rate.
struct QdiscRequest {
  tcmsg tcm{};
  std::string kind;
  std::string options;  // TCA_OPTIONS payload
};

QdiscRequest Decode(nl_msg* msg) {
  QdiscRequest r;
  nlmsghdr* nlh = nlmsg_hdr(msg);
  std::memcpy(&r.tcm, nlmsg_data(nlh), sizeof(r.tcm));
  nlattr* attrs = nlmsg_attrdata(nlh, sizeof(tcmsg));
  int len = nlmsg_attrlen(nlh, sizeof(tcmsg));
  if (nlattr* k = nla_find(attrs, len, TCA_KIND)) r.kind = nla_get_string(k);
  if (nlattr* o = nla_find(attrs, len, TCA_OPTIONS)) {
    r.options.assign(static_cast<const char*>(nla_data(o)), nla_len(o));
  }
  nlmsg_free(msg);
  return r;
}

TEST(QdiscRequestTest, NetemCarriesDelayJitterAndProbabilities) {
  Impairment i = Parse("delay", "50ms")
                     .Merged(Parse("jitter", "5ms"))
                     .Merged(Parse("loss", "100%"))
                     .Merged(Parse("duplicate", "50%"));
  nl_msg* msg = nullptr;
  ASSERT_EQ(BuildNetemRequest(7, i, &msg), 0);
  QdiscRequest r = Decode(msg);
  EXPECT_EQ(r.kind, "netem");
  EXPECT_EQ(r.tcm.tcm_ifindex, 7);
  EXPECT_EQ(r.tcm.tcm_parent, TC_H_ROOT);
  EXPECT_EQ(r.tcm.tcm_handle, 0x10000u);
  ASSERT_GE(r.options.size(), sizeof(tc_netem_qopt));
  tc_netem_qopt opt;
  std::memcpy(&opt, r.options.data(), sizeof(opt));
  EXPECT_EQ(opt.latency, nl_us2ticks(50'000));
  EXPECT_EQ(opt.jitter, nl_us2ticks(5'000));
  EXPECT_EQ(opt.loss, 4294967295u);
  EXPECT_EQ(opt.duplicate, 2147483648u);
  EXPECT_EQ(opt.limit, 1000u);
}

TEST(QdiscRequestTest, TbfAloneOrBeneathNetem) {
  Impairment i = Parse("rate", "8mbit");
  nl_msg* msg = nullptr;
  ASSERT_EQ(BuildTbfRequest(3, i, false, &msg), 0);
  QdiscRequest root = Decode(msg);
  EXPECT_EQ(root.kind, "tbf");
  EXPECT_EQ(root.tcm.tcm_parent, TC_H_ROOT);
  EXPECT_EQ(root.tcm.tcm_handle, 0x10000u);
  ASSERT_EQ(BuildTbfRequest(3, i, true, &msg), 0);
  QdiscRequest child = Decode(msg);
  EXPECT_EQ(child.tcm.tcm_parent, 0x10001u);
  EXPECT_EQ(child.tcm.tcm_handle, 0xa0000u);
  // TCA_OPTIONS nests TCA_TBF_PARMS: the rate in bytes per second, the limit in bytes.
  nlattr* parms = nla_find(reinterpret_cast<nlattr*>(child.options.data()),
                           static_cast<int>(child.options.size()), TCA_TBF_PARMS);
  ASSERT_NE(parms, nullptr);
  tc_tbf_qopt q;
  std::memcpy(&q, nla_data(parms), sizeof(q));
  EXPECT_EQ(q.rate.rate, 1'000'000u);
  EXPECT_EQ(q.limit, TokenBucketFor(8'000'000).limit_bytes);
}

class EtcFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    etc_ = root_ + "/netns";  // does not exist yet
  }
  testing::TempDir tmp_{"topo-etc"};
  std::string root_, etc_;
};

TEST_F(EtcFilesTest, WritesLinksAndRemovesWhatItMade) {
  std::string n1, n2;
  ASSERT_TRUE(WriteEtcFile("x", "hosts", "1.2.3.4 a\n", "", &n1, etc_).ok());
  ASSERT_TRUE(WriteEtcFile("y", "hosts", "", "x", &n2, etc_).ok());
  EXPECT_EQ(n1, "made:etc,ns");
  EXPECT_EQ(n2, "made:ns");
  EXPECT_EQ(testing::ReadFile(etc_ + "/y/hosts"), "1.2.3.4 a\n");
  struct stat st;
  ASSERT_EQ(stat((etc_ + "/x/hosts").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(st.st_nlink, 2u);
  ASSERT_EQ(stat((etc_ + "/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  // Never replaces a file.
  std::string n3;
  EXPECT_TRUE(WriteEtcFile("x", "hosts", "other", "", &n3, etc_).IsAlreadyExists());
  EXPECT_EQ(testing::ReadFile(etc_ + "/x/hosts"), "1.2.3.4 a\n");
  ASSERT_TRUE(RemoveEtcFile("y", "hosts", n2, etc_).ok());
  ASSERT_TRUE(RemoveEtcFile("x", "hosts", n1, etc_).ok());
  EXPECT_FALSE(std::filesystem::exists(etc_));
  EXPECT_TRUE(RemoveEtcFile("x", "hosts", n1, etc_).IsNotFound());
  EXPECT_TRUE(std::filesystem::is_empty(root_));
}

TEST_F(EtcFilesTest, KeepsDirectoriesItDidNotMakeAndRefusesSymlinks) {
  std::filesystem::create_directories(etc_ + "/x");
  std::string note;
  ASSERT_TRUE(WriteEtcFile("x", "resolv.conf", "nameserver 1.1.1.1\n", "", &note, etc_).ok());
  EXPECT_EQ(note, "made:");
  ASSERT_TRUE(RemoveEtcFile("x", "resolv.conf", note, etc_).ok());
  EXPECT_TRUE(std::filesystem::exists(etc_ + "/x"));
  std::filesystem::create_directory_symlink(root_, etc_ + "/evil");
  Status s = WriteEtcFile("evil", "hosts", "x", "", &note, etc_);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(std::filesystem::exists(root_ + "/hosts"));
  EXPECT_EQ(WriteEtcFile("..", "hosts", "x", "", &note, etc_).code(),
            Status::Code::kInvalidArgument);
}

// Issue #16 item 9: a write killed between its temporary file and the link
// (here by SIGXFSZ at its first byte, a real crash at that very point) left
// /etc/netns/NS/.hosts.topo-PID-N and the directory for good.
TEST_F(EtcFilesTest, AWriteKilledHalfwayIsCleanedUpByRemovalAndByTheNextWrite) {
  auto temporaries = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(etc_ + "/x")) {
      n += e.path().filename().string().rfind(".hosts.topo-", 0) == 0;
    }
    return n;
  };
  for (bool by_removal : {true, false}) {
    SCOPED_TRACE(by_removal ? "removed by down" : "found by the next write");
    pid_t pid = fork();
    if (pid == 0) {
      signal(SIGXFSZ, SIG_DFL);
      rlimit zero{0, 0};
      setrlimit(RLIMIT_CORE, &zero);
      setrlimit(RLIMIT_FSIZE, &zero);
      std::string note;
      WriteEtcFile("x", "hosts", "1.2.3.4 a\n", "", &note, etc_);
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) << status;
    ASSERT_EQ(temporaries(), 1u);
    if (by_removal) {
      // `down` after the crash: the write was in progress (no note).
      EXPECT_TRUE(RemoveEtcFile("x", "hosts", "", etc_).IsNotFound());
    } else {
      std::string note;
      ASSERT_TRUE(WriteEtcFile("x", "hosts", "1.2.3.4 a\n", "", &note, etc_).ok());
      EXPECT_EQ(note, "made:ns") << "the directory held only a dead write's temporary file";
      EXPECT_EQ(temporaries(), 0u);
      ASSERT_TRUE(RemoveEtcFile("x", "hosts", note, etc_).ok());
    }
    EXPECT_FALSE(std::filesystem::exists(etc_ + "/x"));
  }
  // A temporary file of a live process is not a dead write's: the next write keeps it.
  std::filesystem::create_directories(etc_ + "/y");
  const std::string live = etc_ + "/y/.hosts.topo-" + std::to_string(getpid()) + "-999";
  std::ofstream(live) << "x";
  std::string note;
  ASSERT_TRUE(WriteEtcFile("y", "hosts", "", "", &note, etc_).ok());
  EXPECT_EQ(note, "made:");
  EXPECT_TRUE(std::filesystem::exists(live));
  ASSERT_TRUE(RemoveEtcFile("y", "hosts", note, etc_).ok());
  EXPECT_FALSE(std::filesystem::exists(live)) << "removal takes every temporary of the file";
}

}  // namespace
}  // namespace topo
