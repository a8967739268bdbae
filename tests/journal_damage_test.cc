// Issue #16 items 5 and 11, without the kernel (the recording backend).
//
// Every file of a lab's record is untrusted input: a table of corrupted
// journal lines, whole journals, plan.json and namespaces files is fed to
// every reader (ReadLab, ReadLabForTeardown, NamespaceOwners, ListLabs,
// GetLabStatus, FindNodeNamespace, Down). Nothing throws; ReadLab refuses a
// damaged record for that lab only, naming what is wrong; `down` removes
// everything the record still names and says what it could not verify.
//
// And `down` acts by identity: a namespace or host interface that took the
// name of the lab's is left, and reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "front/validate.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "model/diagnostic.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

namespace fs = std::filesystem;

const char kLab[] = "server-router-client";

class JournalDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path() + "/state";
  }
  // A new state directory, for a case of its own.
  void Fresh() { dir_ = tmp_.path() + "/state" + std::to_string(++cases_); }
  std::string LabFile(const std::string& name, const std::string& lab = kLab) {
    return dir_ + "/labs/" + lab + "/" + name;
  }
  void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  // The seed lab up in `b`, its store unlocked.
  void UpSeed(RecordingBackend* b,
              const std::string& file = "topologies/server-router-client.yaml") {
    StateStore store(dir_);
    UpResult up = Up(testing::ShippedPlan(file), *b, store);
    ASSERT_TRUE(up.status.ok()) << up.status.message();
  }
  // Every reader, on the lab as its files now are: none may throw. Returns ReadLab's status.
  Status ReadEverything(RecordingBackend* b, const std::string& lab = kLab) {
    Status read;
    EXPECT_NO_THROW(read = CallEveryReader(b, lab));
    return read;
  }
  Status CallEveryReader(RecordingBackend* b, const std::string& lab) {
    StateStore store(dir_);
    LabRecord rec;
    Status read = store.ReadLab(lab, &rec);
    LabRecord teardown;
    Status t = store.ReadLabForTeardown(lab, &teardown);
    EXPECT_TRUE(t.ok() || t.IsNotFound()) << t.message();
    store.NamespaceOwners();
    store.ListLabs();
    LabStatus st;
    Status s = GetLabStatus(lab, *b, store, &st);
    EXPECT_EQ(s.ok(), read.ok()) << s.message();
    std::string found_lab, ns;
    FindNodeNamespace(store, lab, "server", &found_lab, &ns);
    FindNodeNamespace(store, "", "server", &found_lab, &ns);
    return read;
  }
  // `down` of the lab, which must leave nothing of it in `b`.
  DownResult DownAndExpectNothingLeft(RecordingBackend* b, const std::string& lab = kLab) {
    StateStore store(dir_);
    DownResult d;
    EXPECT_NO_THROW(d = Down(lab, *b, store));
    EXPECT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_TRUE(b->Empty()) << Leftovers(*b, d);
    EXPECT_FALSE(fs::exists(dir_ + "/labs/" + lab));
    return d;
  }

  static std::string Leftovers(const RecordingBackend& b, const DownResult& d) {
    std::string out = "namespaces:";
    for (const std::string& ns : b.Namespaces()) out += " " + ns;
    out += "; damage:";
    for (const std::string& x : d.damage) out += " [" + x + "]";
    out += "; undone " + std::to_string(d.report.undone) + ", calls:";
    for (const std::string& c : b.calls()) out += "\n  " + c;
    return out;
  }

  testing::TempDir tmp_{"topo-damage"};
  std::string dir_;
  int cases_ = 0;
};

// One bad line in a journal: for `status`, `exec` and `set-link` a clear
// error of that lab only; for `down` damage, and everything removed.
TEST_F(JournalDamageTest, EachBadJournalLineIsAnErrorOfThatLabOnly) {
  const std::vector<std::string> lines = {
      R"(set-link {"ns":1})",
      R"(set-link {"ns":"x","node":"x","ifname":"eth0","impairment":5})",
      R"(set-link {"ns":"x","node":[],"ifname":"eth0","impairment":{}})",
      R"(set-link {"ns":"x","node":"x","ifname":"eth0"})",
      R"(set-link {"ns":"../x","node":"x","ifname":"eth0","impairment":{}})",
      R"(set-link {"ns":"x","node":"x","ifname":"e;reboot","impairment":{}})",
      R"(set-link {"ns":"x","node":"x","ifname":"eth0","impairment":{"delay":7}})",
      R"(set-link {"ns":"x","node":"x","ifname":"eth0","impairment":{"delay":"soon"}})",
      "set-link []",
      "set-link null",
      "set-link {",
      "set-link",
      "set-link-done",
      "done",
      "done -1",
      "done 99999",
      "done 18446744073709551616",
      "done 99999999999999999999999",
      "done 1x",
      "done 1 5",
      R"(done 1 {"a":1})",
      "done 1 \"\xff\xfe\"",
      "done 1 \"unterminated",
      "before 1",
      "before x \"a\"",
      "netns ../../etc 1:2",
      "netns x",
      "netns x 1:y",
      "netns x 1:99999999999999999999999",
      "root-link eth0 0",
      "root-link eth0 99999999999",
      "root-link ../x 3",
      "plan 3",
      "complete now",
      "garbage",
      "\x1b[31mdone 1",
      std::string("done\0 1", 7),
      std::string(100000, 'x'),
  };
  for (const std::string& line : lines) {
    SCOPED_TRACE(EscapeForTerminal(line.substr(0, 80)));
    Fresh();
    RecordingBackend b;
    UpSeed(&b);
    // A second lab, sound, which must not be affected.
    UpSeed(&b, "topologies/impaired-wan.yaml");
    { std::ofstream(LabFile("journal"), std::ios::app | std::ios::binary) << line << "\n"; }
    Status read = ReadEverything(&b);
    EXPECT_FALSE(read.ok());
    EXPECT_NE(read.message().find("the record of lab 'server-router-client' is damaged: "
                                  "journal line"),
              std::string::npos)
        << read.message();
    EXPECT_TRUE(ReadEverything(&b, "impaired-wan").ok());
    StateStore store(dir_);
    DownResult d = Down(kLab, b, store);
    EXPECT_TRUE(d.status.ok()) << d.status.message();
    ASSERT_FALSE(d.damage.empty());
    EXPECT_EQ(b.Namespaces(), (std::set<std::string>{"branch", "edge", "dc"}));
    ASSERT_TRUE(Down("impaired-wan", b, store).status.ok());
    EXPECT_TRUE(b.Empty());
  }
}

// Whole journals: empty, cut anywhere, without a header, of another plan.
TEST_F(JournalDamageTest, EmptyCutOrForeignJournalsAreDamageAndDownRemovesEverything) {
  RecordingBackend probe;
  UpSeed(&probe);
  const std::string journal = testing::ReadFile(LabFile("journal"));
  const size_t lines = std::count(journal.begin(), journal.end(), '\n');
  ASSERT_GT(lines, 5u);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no header", journal.substr(journal.find('\n') + 1)},
      {"another plan's header", "plan 7\n" + journal.substr(journal.find('\n') + 1)},
      {"binary", std::string("\x00\x01\x02\xff\n\n", 6)},
      {"header torn", "pla"},
  };
  // Cut after each line but the last ("complete"), and in the middle of each.
  size_t pos = 0;
  for (size_t n = 1; n < lines; ++n) {
    const size_t nl = journal.find('\n', pos);
    cases.emplace_back("cut after line " + std::to_string(n), journal.substr(0, nl + 1));
    cases.emplace_back("cut inside line " + std::to_string(n + 1),
                       journal.substr(0, nl + 1 + (journal.find('\n', nl + 1) - nl) / 2));
    pos = nl + 1;
  }
  size_t damaged = 0;
  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    Fresh();
    RecordingBackend b;
    UpSeed(&b);
    Write(LabFile("journal"), text);
    ReadEverything(&b);
    DownResult d = DownAndExpectNothingLeft(&b);
    EXPECT_TRUE(d.was_up);
    if (!d.damage.empty()) ++damaged;
  }
  // A cut at a line's end after the last namespace was recorded reads as an
  // `up` that died there: not damage, and the teardown of an unfinished `up`
  // (with the lab's /etc/netns files) is all there is.
  std::cout << "[ damage ] " << cases.size() << " damaged journals, " << damaged
            << " reported as damage, nothing left after any\n";
}

TEST_F(JournalDamageTest, ALostOrCorruptPlanLeavesNothingAndSaysTheHostSideIsUnknown) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"missing", std::nullopt},
      {"empty", ""},
      {"not JSON", "{"},
      {"an array", "[]"},
      {"wrong types", R"({"lab":5,"actions":7})"},
      {"another lab", R"({"lab":"other","topology":"other","namespaces":[],"actions":[]})"},
      {"a namespace with a slash",
       R"({"lab":"server-router-client","topology":"x","namespaces":["../etc"],"actions":[]})"},
      {"deep", std::string(10000, '[') + std::string(10000, ']')},
  };
  // The seed lab is namespaces-only (lab/namespaces_only.h): its `down` needs
  // no plan.json, and does not read it. Its journal's header made
  // plain, as a lab touching the host has it, `down` needs the plan.
  for (bool namespaces_only : {true, false}) {
    for (const auto& [name, text] : cases) {
      SCOPED_TRACE(name + (namespaces_only ? ", namespaces-only" : ""));
      Fresh();
      RecordingBackend b;
      UpSeed(&b);
      if (!namespaces_only) {
        std::string journal = testing::ReadFile(LabFile("journal"));
        const size_t header = journal.find(" namespaces-only\n");
        ASSERT_NE(header, std::string::npos);
        Write(LabFile("journal"), journal.erase(header, 15));
      }
      if (text) {
        Write(LabFile("plan.json"), *text);
      } else {
        fs::remove(LabFile("plan.json"));
      }
      Status read = ReadEverything(&b);
      EXPECT_FALSE(read.ok());
      EXPECT_NE(read.message().find("is damaged: plan.json"), std::string::npos) << read.message();
      DownResult d = DownAndExpectNothingLeft(&b);
      EXPECT_EQ(d.plan_known, namespaces_only);
      // A missing plan.json is said; a corrupt one is not read.
      EXPECT_EQ(d.damage.empty(), namespaces_only && text.has_value());
    }
  }
}

TEST_F(JournalDamageTest, TheTopologyFileStandsInForALostPlan) {
  RecordingBackend b;
  UpSeed(&b);
  fs::remove(LabFile("plan.json"));
  const Plan plan = testing::ShippedPlan("topologies/server-router-client.yaml");
  StateStore store(dir_);
  DownOptions options;
  options.fallback_plan = &plan;
  DownResult d = Down(kLab, b, store, options);
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_TRUE(d.plan_known);
  EXPECT_TRUE(b.Empty());
}

TEST_F(JournalDamageTest, BadNamespacesFilesAreReadSafely) {
  for (const std::string& text : {std::string("../../etc\n/\n\n"), std::string(1 << 20, 'a'),
                                  std::string("a\0b\n", 4), std::string("\x1b]0;x\x07\n")}) {
    Fresh();
    RecordingBackend b;
    UpSeed(&b);
    Write(LabFile("namespaces"), text);
    EXPECT_TRUE(ReadEverything(&b).ok());
    StateStore store(dir_);
    for (const auto& [ns, lab] : store.NamespaceOwners())
      EXPECT_TRUE(StateStore::IsSafeLabName(ns));
    DownAndExpectNothingLeft(&b);
  }
}

TEST_F(JournalDamageTest, ARecordWithOnlyItsNamespacesFileStillRemovesThem) {
  RecordingBackend b;
  UpSeed(&b);
  fs::remove(LabFile("plan.json"));
  fs::remove(LabFile("journal"));
  DownResult d = DownAndExpectNothingLeft(&b);
  EXPECT_TRUE(d.was_up);
  EXPECT_FALSE(d.damage.empty());
}

// Item 11: a namespace that replaced the lab's is left, and said so.
TEST_F(JournalDamageTest, ANamespaceThatTookTheNameIsLeftAndReported) {
  RecordingBackend b;
  UpSeed(&b);
  b.ReplaceNamespace("router");
  StateStore store(dir_);
  DownResult d = Down(kLab, b, store);
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.report.not_ours.size(), 1u);
  EXPECT_NE(d.report.not_ours[0].find("namespace 'router' is not the lab's"), std::string::npos)
      << d.report.not_ours[0];
  EXPECT_EQ(b.Namespaces(), (std::set<std::string>{"router"}));
  for (const std::string& call : b.calls()) EXPECT_NE(call, "delete namespace router");
  EXPECT_FALSE(fs::exists(dir_ + "/labs/" + kLab));
}

// Item 11: an interface of the host that took the name of the lab's host end.
TEST_F(JournalDamageTest, AHostInterfaceThatTookTheNameIsLeftAndReported) {
  RecordingBackend b;
  b.AddHostInterface("eth0");
  UpSeed(&b, "topologies/host-attached.yaml");
  b.ReplaceInterface("", "veth0");
  const size_t calls = b.calls().size();
  StateStore store(dir_);
  DownResult d = Down("host-attached", b, store);
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.report.not_ours.size(), 1u);
  EXPECT_NE(d.report.not_ours[0].find("interface 'veth0' of the host is not the lab's"),
            std::string::npos)
      << d.report.not_ours[0];
  for (size_t i = calls; i < b.calls().size(); ++i) {
    EXPECT_EQ(b.calls()[i].find(":veth0"), std::string::npos) << b.calls()[i];
  }
}

// With the journal lost, a host interface the plan names cannot be told from
// another: it is left, and the record stays while it exists.
TEST_F(JournalDamageTest, AnUnverifiableHostInterfaceKeepsTheRecord) {
  RecordingBackend b;
  b.AddHostInterface("eth0");
  UpSeed(&b, "topologies/host-attached.yaml");
  Write(LabFile("journal", "host-attached"), "");
  StateStore store(dir_);
  DownResult d = Down("host-attached", b, store);
  EXPECT_FALSE(d.status.ok());
  ASSERT_EQ(d.report.unverified_left.size(), 1u);
  EXPECT_NE(d.status.message().find("interface 'veth0' of the host still exists"),
            std::string::npos)
      << d.status.message();
  EXPECT_TRUE(fs::exists(LabFile("plan.json", "host-attached")));
}

}  // namespace
}  // namespace topo
