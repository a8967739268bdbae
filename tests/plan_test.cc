// Compile and the plan formats: the golden plan of the seed lab in all three
// formats, JSON round trips, and ordering properties on generated topologies.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "front/validate.h"
#include "kernel/iptables.h"
#include "plan/compile.h"
#include "plan/plan.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

const char* kSeed = "topologies/server-router-client.yaml";

Plan SeedPlan() { return testing::ShippedPlan(kSeed); }

TEST(PlanTest, SeedGoldenText) {
  ExpectGolden("server-router-client.plan.txt", FormatPlanText(SeedPlan()));
}

TEST(PlanTest, SeedGoldenJson) {
  ExpectGolden("server-router-client.plan.json", PlanToJson(SeedPlan()).dump(2) + "\n");
}

TEST(PlanTest, SeedGoldenShell) {
  ExpectGolden("server-router-client.up.sh", FormatPlanShell(SeedPlan(), false));
  ExpectGolden("server-router-client.down.sh", FormatPlanShell(SeedPlan(), true));
}

TEST(PlanTest, SnatWithoutSourceTranslatesEverySource) {
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(R"(name: nat
nodes:
  r:
    kind: router
    interfaces:
      a: [10.0.1.1/24, "2001:db8:1::1/64"]
      b: [10.0.2.1/24, "2001:db8:2::1/64"]
    snat:
      - {out: b}
      - {out: b, to: "2001:db8:2::1"}
  h:
    interfaces:
      a: [10.0.1.2/24, "2001:db8:1::2/64"]
  g:
    interfaces:
      b: [10.0.2.2/24, "2001:db8:2::2/64"]
links:
  - [h:a, r:a]
  - [g:b, r:b]
)",
                                                    &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_EQ(testing::Brief(diags), "");
  ASSERT_EQ(t->nodes[0].snat.size(), 2u);
  EXPECT_EQ(t->nodes[0].snat[0].source.ToString(), "0.0.0.0/0");
  EXPECT_EQ(t->nodes[0].snat[1].source.ToString(), "::/0");
  std::vector<std::string> inputs;
  for (const Action& a : Compile(*t).actions) {
    if (a.kind != ActionKind::kAddSnat) continue;
    std::string input;
    EXPECT_TRUE(SnatRestoreInput(a.snat(), false, &input).ok());
    inputs.push_back(input);
  }
  EXPECT_EQ(inputs, (std::vector<std::string>{
                        "*nat\n-A POSTROUTING -o b -m comment --comment topo:nat -j MASQUERADE\n"
                        "COMMIT\n",
                        "*nat\n-A POSTROUTING -o b -m comment --comment topo:nat -j SNAT "
                        "--to-source 2001:db8:2::1\nCOMMIT\n"}));
}

TEST(PlanTest, SameFileGivesByteIdenticalPlans) {
  EXPECT_EQ(PlanToJson(SeedPlan()).dump(), PlanToJson(SeedPlan()).dump());
}

// plan.json is written in pieces (WritePlanJson), never whole in memory: the
// same text as the JSON tree dumped at once, for every shipped lab and none.
TEST(PlanTest, PlanJsonWrittenInPiecesIsTheWholeTreeDumped) {
  std::vector<Plan> plans = {Plan{}, SeedPlan()};
  for (const char* lab :
       {"topologies/vxlan.yaml", "topologies/firewall.yaml", "topologies/vlans.yaml",
        "topologies/frr-ring.yaml", "topologies/host-attached.yaml", "topologies/auto-ring.yaml",
        "topologies/impaired-wan.yaml"}) {
    plans.push_back(testing::ShippedPlan(lab));
  }
  for (const Plan& p : plans) {
    std::string pieces;
    size_t count = 0;
    WritePlanJson(p, [&](std::string_view piece) { pieces += piece, ++count; });
    EXPECT_EQ(pieces, PlanToJson(p).dump(1) + "\n") << p.lab;
    EXPECT_GE(count, p.actions.size()) << p.lab;
    std::FILE* in = fmemopen(pieces.data(), pieces.size(), "r");
    ASSERT_NE(in, nullptr);
    Plan back;
    Status read = ReadPlanJson(in, &back);
    std::fclose(in);
    ASSERT_TRUE(read.ok()) << p.lab << ": " << read.message();
    EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump()) << p.lab;
  }
}

// ReadPlanJson reads a block at a time: a plan of many blocks, whose
// characters straddle their edges, reads back whole, and so does an empty file's
// refusal.
TEST(PlanTest, ReadPlanJsonReadsAPlanOfManyBlocks) {
  Plan p = SeedPlan();
  const std::vector<Action> seed = p.actions;
  while (p.actions.size() < 4000) p.actions.insert(p.actions.end(), seed.begin(), seed.end());
  std::string text;
  WritePlanJson(p, [&](std::string_view piece) { text += piece; });
  ASSERT_GT(text.size(), size_t{4} << 16);
  std::FILE* in = fmemopen(text.data(), text.size(), "r");
  ASSERT_NE(in, nullptr);
  Plan back;
  Status read = ReadPlanJson(in, &back);
  std::fclose(in);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());

  std::FILE* empty = std::tmpfile();
  ASSERT_NE(empty, nullptr);
  EXPECT_FALSE(ReadPlanJson(empty, &back).ok());
  std::fclose(empty);
}

// ReadPlanJson takes plan.json as untrusted input, as PlanFromJson does.
TEST(PlanTest, ReadPlanJsonRefusesWhatIsNotAPlan) {
  std::string good = PlanToJson(SeedPlan()).dump();
  std::string bad_action = good;
  bad_action.replace(bad_action.find("create-namespace"), 16, "no-such-kind");
  for (std::string text :
       {std::string("not json"), std::string("[]"), std::string("{\"actions\": [1, 2]}"),
        std::string("{\"actions\": {}}"), good.substr(0, good.size() / 2), bad_action}) {
    std::FILE* in = fmemopen(text.data(), text.size(), "r");
    ASSERT_NE(in, nullptr);
    Plan back;
    EXPECT_FALSE(ReadPlanJson(in, &back).ok()) << text.substr(0, 60);
    std::fclose(in);
  }
}

TEST(PlanTest, JsonRoundTrip) {
  Plan p = SeedPlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
}

TEST(PlanTest, PrefixNamesNamespaces) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: two\nprefix: t1-\nnodes:\n  a: {interfaces: {e: [10.0.0.1/24]}}\n"
      "  b: {interfaces: {e: [10.0.0.2/24]}}\nlinks:\n  - [a:e, b:e]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t);
  EXPECT_EQ(p.lab, "t1-two");
  EXPECT_EQ(p.namespaces, (std::vector<std::string>{"t1-a", "t1-b"}));
  EXPECT_EQ(Describe(p.actions[4]), "create veth t1-a:e <-> t1-b:e");
}

// A lab that uses IPv6 turns off duplicate address detection in the
// namespace of each host and router before any veth exists, so link-local
// addresses are usable at once; switches and IPv4-only labs are left alone.
TEST(PlanTest, Ipv6LabsTurnOffDadBeforeTheVethsExist) {
  const std::string nodes =
      "  sw: {kind: switch}\n"
      "  r: {kind: router, interfaces: {e: [ADDR_R]}}\n"
      "  h: {interfaces: {e: [ADDR_H]}}\n"
      "links:\n  - [r:e, sw:p0]\n  - [h:e, sw:p1]\n";
  auto plan_of = [&](const std::string& r, const std::string& h) {
    std::string y = "name: dad\nnodes:\n" + nodes;
    y.replace(y.find("ADDR_R"), 6, r);
    y.replace(y.find("ADDR_H"), 6, h);
    DiagnosticList diags;
    auto t = testing::ValidateText(y, &diags);
    EXPECT_TRUE(t) << testing::Brief(diags);
    return t ? Compile(*t) : Plan{};
  };
  Plan v6 = plan_of("\"2001:db8::1/64\", 10.0.0.1/24", "10.0.0.2/24");
  std::vector<std::string> head;
  for (size_t i = 0; i < v6.actions.size() && v6.actions[i].kind != ActionKind::kCreateVeth; ++i) {
    head.push_back(Describe(v6.actions[i]));
  }
  EXPECT_EQ(head, (std::vector<std::string>{"create namespace sw", "create namespace r",
                                            "create namespace h", "set link sw:lo up",
                                            "set link r:lo up", "set link h:lo up",
                                            "set sysctl r net.ipv6.conf.default.accept_dad=0",
                                            "set sysctl h net.ipv6.conf.default.accept_dad=0"}));
  Plan v4 = plan_of("10.0.0.1/24", "10.0.0.2/24");
  for (const Action& a : v4.actions) EXPECT_NE(a.key(), "net.ipv6.conf.default.accept_dad");
}

// A chain of routers with hosts at both ends, IPv4 and IPv6, MTUs and SNAT:
// used to check ordering properties on something bigger than the seed.
std::string ChainYaml(int n) {
  std::string y = "name: chain\nnodes:\n";
  auto v4 = [](int seg, int host) {
    return "10." + std::to_string(seg / 250) + "." + std::to_string(seg % 250) + "." +
           std::to_string(host);
  };
  auto v6 = [](int seg, int host) {
    return "fd00:" + std::to_string(seg) + "::" + std::to_string(host);
  };
  for (int i = 0; i <= n + 1; ++i) {
    bool host = i == 0 || i == n + 1;
    y += "  n" + std::to_string(i) + ":\n    kind: " + (host ? "host" : "router") +
         "\n    interfaces:\n";
    if (i > 0) {
      y += "      left: [" + v4(i - 1, 2) + "/24, \"" + v6(i - 1, 2) + "/64\"]\n";
    }
    if (i <= n) y += "      right: [" + v4(i, 1) + "/24, \"" + v6(i, 1) + "/64\"]\n";
    y += "    routes:\n";
    if (i == 0) {
      y += "      - {to: default, via: " + v4(0, 2) + "}\n";
      y += "      - {to: default, via: \"" + v6(0, 2) + "\"}\n";
    } else if (i == n + 1) {
      y += "      - {to: default, via: " + v4(n, 1) + "}\n";
    } else {
      y += "      - {to: default, via: " + v4(i, 2) + "}\n";
      y += "    snat:\n      - {source: 10.0.0.0/8, out: right}\n";
    }
  }
  y += "links:\n";
  for (int i = 0; i <= n; ++i) {
    y += "  - {endpoints: [n" + std::to_string(i) + ":right, n" + std::to_string(i + 1) +
         ":left], mtu: " + std::to_string(1400 + i) + "}\n";
  }
  return y;
}

TEST(PlanTest, EveryActionComesAfterWhatItNeeds) {
  for (int n : {1, 3, 12}) {
    DiagnosticList diags;
    auto t = testing::ValidateText(ChainYaml(n), &diags);
    ASSERT_TRUE(t) << testing::Brief(diags);
    Plan p = Compile(*t);
    std::set<std::string> namespaces, links, up;
    std::map<std::string, std::set<std::string>> addresses;  // ns -> families with addresses
    bool forwarding_seen = false;
    for (const Action& a : p.actions) {
      std::string where = a.ns + ":" + a.ifname;
      switch (a.kind) {
        case ActionKind::kCreateNamespace:
          EXPECT_TRUE(namespaces.insert(a.ns).second);
          break;
        case ActionKind::kCreateVeth:
          EXPECT_TRUE(namespaces.count(a.ns) && namespaces.count(a.peer_ns())) << Describe(a);
          links.insert(where);
          links.insert(a.peer_ns() + ":" + a.peer_ifname());
          break;
        case ActionKind::kSetLinkUp:
          if (a.ifname == "lo") {
            EXPECT_TRUE(namespaces.count(a.ns));
          } else {
            EXPECT_TRUE(links.count(where)) << Describe(a);
          }
          up.insert(where);
          break;
        case ActionKind::kSetMtu:
        case ActionKind::kSetMac:
        case ActionKind::kAddAddress:
          EXPECT_TRUE(links.count(where) || a.ifname == "lo") << Describe(a);
          if (a.kind == ActionKind::kAddAddress)
            addresses[a.ns].insert(std::to_string(a.address().family()));
          break;
        case ActionKind::kSetSysctl:
          EXPECT_TRUE(namespaces.count(a.ns));
          if (a.key() == "net.ipv4.ip_forward") forwarding_seen = true;
          break;
        case ActionKind::kAddRoute:
          EXPECT_TRUE(addresses[a.ns].count(std::to_string(a.route().family))) << Describe(a);
          break;
        case ActionKind::kAddSnat:
          EXPECT_TRUE(forwarding_seen) << Describe(a);
          break;
      }
    }
    // Routes come after every link is up.
    size_t last_up = 0, first_route = p.actions.size();
    for (size_t i = 0; i < p.actions.size(); ++i) {
      if (p.actions[i].kind == ActionKind::kSetLinkUp) last_up = i;
      if (p.actions[i].kind == ActionKind::kAddRoute) first_route = std::min(first_route, i);
    }
    EXPECT_LT(last_up, first_route);
  }
}

TEST(PlanTest, TeardownScriptIsTheExactReverse) {
  Plan p = SeedPlan();
  std::string down = FormatPlanShell(p, true);
  size_t pos = 0;
  for (size_t i = p.actions.size(); i-- > 0;) {
    size_t at = down.find("# " + DescribeInverse(p.actions[i]) + "\n", pos);
    ASSERT_NE(at, std::string::npos) << DescribeInverse(p.actions[i]);
    pos = at + 1;
  }
}

// ---- what runs in nodes ----

constexpr const char* kProgramsLab = R"(name: progs
prefix: p-
nodes:
  r1:
    kind: router
    interfaces:
      eth0: [10.0.0.1/24, 2001:db8::1/64]
    dirs: [/run/frr, /var/log/frr]
    files:
      /etc/frr/frr.conf: |
        hostname {{node}} in {{ lab }}
        peer {{addr r2:eth0}} {{cidr6 r1:eth0}}
      /etc/raw: {content: "{{node}}", substitute: false, mode: "0600"}
    programs:
      - name: zebra
        run: [/usr/lib/frr/zebra, -n, "{{ns}}", "it's"]
        env: {LANG: C.UTF-8, PEER: "{{addr r2:eth0}}"}
        ready: {file: /run/frr/zserv.api, timeout: 10s}
        stop_timeout: 500ms
      - run: [/usr/lib/frr/ospfd]
        after: [r2/web, zebra]
        ready: {command: [test, -e, "/run/{{node}}"]}
  r2:
    interfaces:
      eth0: [10.0.0.2/24]
    files:
      /srv/index.html: "<p>{{node}}</p>\n"
    programs:
      - name: web
        run: [python3, -m, http.server, "8080"]
        cwd: /srv
        user: nobody
        ready: {tcp: 8080}
      - name: tail
        run: [tail, -f, /dev/null]
        ready: {log: "x"}
links:
  - [r1:eth0, r2:eth0]
)";

Plan ProgramsPlan() {
  DiagnosticList diags;
  auto t = testing::ValidateText(kProgramsLab, &diags);
  EXPECT_TRUE(t) << testing::Brief(diags);
  return t ? Compile(*t) : Plan{};
}

// The actions of what runs in the nodes, as text, from the first of them on.
std::vector<std::string> NodeActions(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) {
    if (a.kind == ActionKind::kMakeNodeDir || a.kind == ActionKind::kWriteNodeFile ||
        a.kind == ActionKind::kStartProgram) {
      out.push_back(Describe(a));
    } else {
      EXPECT_TRUE(out.empty()) << "network action after the nodes' ones: " << Describe(a);
    }
  }
  return out;
}

TEST(PlanTest, ProgramsComeLastInTheirOrder) {
  Plan p = ProgramsPlan();
  EXPECT_EQ(NodeActions(p), (std::vector<std::string>{
                                "make private dir r1:/run/frr",
                                "make private dir r1:/var/log/frr",
                                "write file r1:/etc/frr/frr.conf",
                                "write file r1:/etc/raw",
                                "write file r2:/srv/index.html",
                                "start program r1/zebra",
                                "start program r2/web",
                                "start program r1/ospfd",
                                "start program r2/tail",
                            }));
}

TEST(PlanTest, NodeActionsHoldSubstitutedValues) {
  Plan p = ProgramsPlan();
  std::map<std::string, const Action*> by;
  for (const Action& a : p.actions) by[Describe(a)] = &a;
  const Action& conf = *by.at("write file r1:/etc/frr/frr.conf");
  EXPECT_EQ(conf.ns, "p-r1");
  EXPECT_EQ(conf.node, "r1");
  EXPECT_EQ(conf.key(), "/etc/frr/frr.conf");
  EXPECT_EQ(conf.value(), "hostname r1 in p-progs\npeer 10.0.0.2 2001:db8::1/64\n");
  EXPECT_EQ(conf.mode(), 0644);
  const Action& raw = *by.at("write file r1:/etc/raw");
  EXPECT_EQ(raw.value(), "{{node}}");
  EXPECT_EQ(raw.mode(), 0600);
  EXPECT_EQ(by.at("make private dir r1:/run/frr")->key(), "/run/frr");
  const ProgramSpec& zebra = by.at("start program r1/zebra")->program();
  EXPECT_EQ(zebra.argv, (std::vector<std::string>{"/usr/lib/frr/zebra", "-n", "p-r1", "it's"}));
  EXPECT_EQ(zebra.env, (std::vector<std::pair<std::string, std::string>>{{"LANG", "C.UTF-8"},
                                                                         {"PEER", "10.0.0.2"}}));
  EXPECT_TRUE(zebra.after.empty());
  EXPECT_EQ(zebra.stop_timeout_ms, 500);
  const ProgramSpec& ospfd = by.at("start program r1/ospfd")->program();
  // The previous program of the node first, then `after`, without repeats.
  EXPECT_EQ(ospfd.after, (std::vector<std::string>{"r1/zebra", "r2/web"}));
  EXPECT_EQ(ospfd.ready.command, (std::vector<std::string>{"test", "-e", "/run/r1"}));
  const ProgramSpec& web = by.at("start program r2/web")->program();
  EXPECT_EQ(web.cwd, "/srv");
  EXPECT_EQ(web.user, "nobody");
  EXPECT_EQ(web.ready.kind, Readiness::Kind::kTcp);
  EXPECT_EQ(web.ready.port, 8080);
  EXPECT_EQ(by.at("start program r2/tail")->program().after, (std::vector<std::string>{"r2/web"}));
}

TEST(PlanTest, NodeActionsRoundTripThroughJson) {
  Plan p = ProgramsPlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  ASSERT_EQ(back.actions.size(), p.actions.size());
  for (size_t i = 0; i < p.actions.size(); ++i) {
    const Action &a = p.actions[i], &b = back.actions[i];
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.ns, b.ns);
    EXPECT_EQ(a.node, b.node);
    EXPECT_EQ(a.key(), b.key());
    EXPECT_EQ(a.value(), b.value());
    EXPECT_EQ(a.mode(), b.mode());
    EXPECT_EQ(a.program(), b.program()) << Describe(a);
  }
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
}

TEST(PlanTest, EveryProgramFieldRoundTrips) {
  for (Readiness::Kind kind :
       {Readiness::Kind::kNone, Readiness::Kind::kTcp, Readiness::Kind::kUdp,
        Readiness::Kind::kFile, Readiness::Kind::kCommand, Readiness::Kind::kLogLine}) {
    Action a;
    a.kind = ActionKind::kStartProgram;
    a.ns = "p-r1";
    a.node = "r1";
    a.mutable_program().name = "app";
    a.mutable_program().argv = {"/bin/app", "--flag", "a b"};
    a.mutable_program().env = {{"B", "2"}, {"A", "1"}};
    a.mutable_program().cwd = "/var/lib/app";
    a.mutable_program().user = "1000";
    a.mutable_program().after = {"r1/x", "r2/y"};
    a.mutable_program().ready.kind = kind;
    a.mutable_program().ready.timeout_ms = 1234;
    a.mutable_program().stop_timeout_ms = 0;
    switch (kind) {
      case Readiness::Kind::kTcp:
      case Readiness::Kind::kUdp:
        a.mutable_program().ready.port = 53;
        break;
      case Readiness::Kind::kFile:
        a.mutable_program().ready.path = "/run/app.sock";
        break;
      case Readiness::Kind::kCommand:
        a.mutable_program().ready.command = {"test", "-S", "/run/app.sock"};
        break;
      case Readiness::Kind::kLogLine:
        a.mutable_program().ready.text = "ready";
        break;
      case Readiness::Kind::kNone:
        break;
    }
    Action b;
    ASSERT_TRUE(ActionFromJson(ActionToJson(a), &b).ok()) << ActionToJson(a).dump();
    EXPECT_EQ(b.program(), a.program()) << ActionToJson(a).dump();
  }
  Action f;
  f.kind = ActionKind::kWriteNodeFile;
  f.ns = "n";
  f.node = "n";
  f.set_key("/etc/a");
  f.set_value(std::string("bin\0ary\n", 8));
  f.set_mode(0755);
  Action g;
  nlohmann::json j = ActionToJson(f);
  EXPECT_EQ(j["mode"], "0755");
  EXPECT_EQ(j["path"], "/etc/a");
  ASSERT_TRUE(ActionFromJson(j, &g).ok());
  EXPECT_EQ(g.value(), f.value());
  EXPECT_EQ(g.mode(), 0755);
  j["mode"] = "0999";
  EXPECT_FALSE(ActionFromJson(j, &g).ok());
  Action start;
  start.kind = ActionKind::kStartProgram;
  nlohmann::json prog = ActionToJson(start);
  prog["program"]["ready"]["kind"] = "soon";
  EXPECT_FALSE(ActionFromJson(prog, &g).ok());
}

TEST(PlanTest, NodeActionsAsText) {
  const std::string text = FormatPlanText(ProgramsPlan());
  EXPECT_NE(text.find("  write file r1:/etc/frr/frr.conf (2 lines, mode 0644)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  start program r1/ospfd\n"
                      "      run /usr/lib/frr/ospfd; after r1/zebra, r2/web; ready: command test "
                      "-e /run/r1 exits 0 (within 30s)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("run /usr/lib/frr/zebra -n p-r1 'it'\\''s'; ready: file /run/frr/zserv.api "
                      "exists (within 10s)\n"),
            std::string::npos)
      << text;
}

TEST(PlanTest, NodeActionsAsShell) {
  Plan p = ProgramsPlan();
  const std::string up = FormatPlanShell(p, false);
  EXPECT_NE(up.find("nodes=\"${TOPO_NODES_DIR:-/tmp/topo-p-progs-nodes}\"\n"), std::string::npos);
  EXPECT_NE(up.find("mkdir -p \"$nodes\"/r1/run/frr\n"), std::string::npos) << up;
  EXPECT_NE(up.find("mkdir -p \"$nodes\"/r1/etc/frr\n"
                    "printf '%s' 'hostname r1 in p-progs\npeer 10.0.0.2 2001:db8::1/64\n"
                    "' > \"$nodes\"/r1/etc/frr/frr.conf\n"
                    "chmod 0644 \"$nodes\"/r1/etc/frr/frr.conf\n"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("# ip netns exec p-r2 env -i -C /srv PATH=/usr/local/sbin:/usr/local/bin:"
                    "/usr/sbin:/usr/bin:/sbin:/bin HOME=/ TOPO_NODE=r2 TOPO_NS=p-r2 python3 -m "
                    "http.server 8080 &\n"),
            std::string::npos)
      << up;
  EXPECT_NE(up.find("LANG=C.UTF-8 PEER=10.0.0.2 /usr/lib/frr/zebra -n p-r1 'it'\\''s' &\n"),
            std::string::npos)
      << up;
  const std::string down = FormatPlanShell(p, true);
  EXPECT_NE(down.find("rm -rf \"$nodes\"/r1/run/frr\n"), std::string::npos) << down;
  EXPECT_NE(down.find("rm -f \"$nodes\"/r2/srv/index.html\n"), std::string::npos) << down;
  // Programs stop first: their inverses come before every file's.
  EXPECT_LT(down.find("# stop program r1/zebra"), down.find("# remove file r1:/etc/raw"));
}

TEST(PlanTest, ProgramArgumentsCannotEscapeTheShellComment) {
  Action a;
  a.kind = ActionKind::kStartProgram;
  a.ns = "n";
  a.node = "n";
  a.mutable_program().name = "x";
  a.mutable_program().argv = {"sh", "-c", "true\nrm -rf /tmp/x\r\x1b[2J"};
  for (const std::string& line : ActionToShell(a)) {
    for (char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int(c) << " in " << line;
    EXPECT_EQ(line.rfind('#', 0), 0u) << line;
  }
}

TEST(PlanTest, ShellWritesAnyFileContentExactly) {
  testing::TempDir dir("topo-shell-content");
  ASSERT_TRUE(dir.ok());
  Action a;
  a.kind = ActionKind::kWriteNodeFile;
  a.ns = "n";
  a.node = "n";
  a.set_key("/etc/x");
  a.set_mode(0600);
  const std::string content("a\x1b[31mb\\c %s 'q'\n\xc3\xa9\t\0z\\0101", 27);
  a.set_value(content);
  std::string script = "set -eu\nnodes=" + dir.path() + "\n";
  for (const std::string& line : ActionToShell(a)) {
    for (char c : line) {
      EXPECT_TRUE(c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) << int(c) << " in " << line;
    }
    script += line + "\n";
  }
  testing::ProcessResult r = testing::RunProcess({"bash", "-c", script});
  ASSERT_EQ(r.status, 0) << r.output << script;
  EXPECT_EQ(testing::ReadFile(dir / "n/etc/x"), content);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "n/etc/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// The plan holds about ten actions a node: each stays small, its kind's own
// values out of line (issue #17: 1096 bytes before).
TEST(PlanTest, ActionIsSmall) {
  EXPECT_LE(sizeof(Action), 160u);
  Action route;
  route.kind = ActionKind::kAddRoute;
  EXPECT_EQ(route.route().family, 4);         // unset: the default
  EXPECT_TRUE(route.program().name.empty());  // not the kind's: the default
  route.mutable_route().dev = "eth0";
  Action copy = route;
  copy.mutable_route().dev = "eth1";
  EXPECT_EQ(route.route().dev, "eth0");  // copies are deep
  // Writing a value the kind does not carry is a programming error.
  EXPECT_THROW(route.set_mtu(1400), std::logic_error);
  EXPECT_THROW(route.mutable_program(), std::logic_error);
  Action file;
  file.kind = ActionKind::kWriteEtcFile;
  file.set_peer_ns("a");
  EXPECT_EQ(file.peer_ns(), "a");
  EXPECT_THROW(file.set_peer_node("a"), std::logic_error);
}

}  // namespace
}  // namespace topo
