// What runs in a node, through the whole front end: parsing `dirs`, `files`
// and `programs` (with `from:` files read safely next to the topology),
// their validation (unsafe paths, readiness, `after`, cycles, kinds, the
// checks' `tcp: PROGRAM`), and the substitution of lab facts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "front/read_beneath.h"
#include "front/validate.h"
#include "model/program_graph.h"
#include "model/substitute.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Brief;
using testing::ValidateText;

// Two routers on a link; `r1_extra` and `r2_extra` are added to their bodies.
std::string Lab(const std::string& r1_extra, const std::string& r2_extra = "",
                const std::string& tail = "") {
  return "name: progs\nnodes:\n  r1:\n    kind: router\n    interfaces:\n"
         "      eth0: [10.0.0.1/24, 2001:db8::1/64]\n" +
         r1_extra + "  r2:\n    interfaces:\n      eth0: [10.0.0.2/24]\n" + r2_extra +
         "links:\n  - [r1:eth0, r2:eth0]\n" + tail;
}

// The diagnostics of `yaml`, which must be invalid.
std::string Errors(const std::string& yaml) {
  DiagnosticList diags;
  auto t = ValidateText(yaml, &diags);
  EXPECT_FALSE(t) << yaml;
  return Brief(diags);
}

Topology Valid(const std::string& yaml) {
  DiagnosticList diags;
  auto t = ValidateText(yaml, &diags);
  EXPECT_TRUE(t) << Brief(diags);
  return t ? *t : Topology{};
}

TEST(ProgramsTest, ParsesEveryField) {
  Topology t = Valid(Lab(R"(    dirs: [/run/frr, /var/log/frr]
    files:
      /etc/frr/frr.conf: |
        hostname {{node}}
      /etc/app/raw.txt: {content: "{{ kept", substitute: false, mode: "0600"}
    programs:
      - name: zebra
        run: [/usr/lib/frr/zebra, -A, 127.0.0.1]
        env: {LANG: C.UTF-8, N: 3}
        cwd: /var/lib
        user: frr
        ready: {file: /run/frr/zserv.api, timeout: 10s}
        stop_timeout: 500ms
      - run: [/usr/lib/frr/ospfd]
        after: [r2/web]
)",
                         R"(    programs:
      - name: web
        run: [python3, -m, http.server, "8080"]
        ready: {tcp: 8080}
)"));
  const Node& r1 = t.nodes[0];
  ASSERT_EQ(r1.dirs.size(), 2u);
  EXPECT_EQ(r1.dirs[1].path, "/var/log/frr");
  EXPECT_EQ(r1.dirs[1].src.loc.line, 7);
  ASSERT_EQ(r1.files.size(), 2u);
  EXPECT_EQ(r1.files[0].path, "/etc/frr/frr.conf");
  EXPECT_EQ(r1.files[0].content, "hostname {{node}}\n");
  EXPECT_EQ(r1.files[0].mode, 0644);
  EXPECT_TRUE(r1.files[0].substitute);
  EXPECT_EQ(r1.files[1].content, "{{ kept");
  EXPECT_EQ(r1.files[1].mode, 0600);
  EXPECT_FALSE(r1.files[1].substitute);
  ASSERT_EQ(r1.programs.size(), 2u);
  const Program& zebra = r1.programs[0];
  EXPECT_EQ(zebra.name, "zebra");
  EXPECT_EQ(zebra.argv, (std::vector<std::string>{"/usr/lib/frr/zebra", "-A", "127.0.0.1"}));
  EXPECT_EQ(zebra.env,
            (std::vector<std::pair<std::string, std::string>>{{"LANG", "C.UTF-8"}, {"N", "3"}}));
  EXPECT_EQ(zebra.cwd, "/var/lib");
  EXPECT_EQ(zebra.user, "frr");
  EXPECT_EQ(zebra.ready.kind, Readiness::Kind::kFile);
  EXPECT_EQ(zebra.ready.path, "/run/frr/zserv.api");
  EXPECT_EQ(zebra.ready.timeout_ms, 10000);
  EXPECT_EQ(zebra.stop_timeout_ms, 500);
  const Program& ospfd = r1.programs[1];
  EXPECT_EQ(ospfd.name, "ospfd");  // the basename of run[0]
  EXPECT_FALSE(ospfd.name_given);
  EXPECT_EQ(ospfd.after, (std::vector<std::string>{"r2/web"}));
  EXPECT_EQ(ospfd.ready.kind, Readiness::Kind::kNone);
  EXPECT_EQ(ospfd.stop_timeout_ms, 2000);
  EXPECT_EQ(ospfd.cwd, "/");
  const Program& web = t.nodes[1].programs[0];
  EXPECT_EQ(web.ready.kind, Readiness::Kind::kTcp);
  EXPECT_EQ(web.ready.port, 8080);
  EXPECT_EQ(web.ready.timeout_ms, 30000);
}

TEST(ProgramsTest, EveryReadinessKind) {
  Topology t = Valid(Lab(R"(    programs:
      - {name: a, run: [a], ready: {tcp: 1}}
      - {name: b, run: [b], ready: {udp: 53}}
      - {name: c, run: [c], ready: {file: /run/c}}
      - {name: d, run: [d], ready: {command: [test, -e, "/run/{{node}}"]}}
      - {name: e, run: [e], ready: {log: "listening on"}}
)"));
  const auto& p = t.nodes[0].programs;
  EXPECT_EQ(p[0].ready.kind, Readiness::Kind::kTcp);
  EXPECT_EQ(p[1].ready.kind, Readiness::Kind::kUdp);
  EXPECT_EQ(p[1].ready.port, 53);
  EXPECT_EQ(p[2].ready.path, "/run/c");
  EXPECT_EQ(p[3].ready.command, (std::vector<std::string>{"test", "-e", "/run/{{node}}"}));
  EXPECT_EQ(p[4].ready.text, "listening on");
}

TEST(ProgramsTest, RunAsAStringIsAnErrorWithAHint) {
  DiagnosticList diags;
  EXPECT_FALSE(ValidateText(Lab("    programs:\n      - run: sleep 10\n"), &diags));
  ASSERT_EQ(diags.items().size(), 1u) << Brief(diags);
  EXPECT_EQ(diags.items()[0].message, "'run' must be a list, not a string");
  EXPECT_NE(diags.items()[0].hint.find("[sh, -c, \"...\"]"), std::string::npos);
  EXPECT_EQ(diags.items()[0].loc.line, 8);
}

TEST(ProgramsTest, UnknownNodeOrProgramInAfter) {
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [r3/web]}\n",
                       "    programs:\n      - {name: web, run: [w]}\n")),
            "test.yaml:8:28: error: unknown node 'r3' in 'after' of program 'a' of node 'r1' "
            "(did you mean 'r1'?)\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [r2/wbe]}\n",
                       "    programs:\n      - {name: web, run: [w]}\n")),
            "test.yaml:8:28: error: node 'r2' has no program 'wbe' (did you mean 'web'?)\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [b]}\n")),
            "test.yaml:8:28: error: node 'r1' has no program 'b'\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [a/b/c]}\n")),
            "test.yaml:8:28: error: 'after' entry 'a/b/c' is not NODE/PROGRAM or PROGRAM\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [a]}\n")),
            "test.yaml:8:28: error: program 'a' of node 'r1' waits for itself in 'after'\n");
}

TEST(ProgramsTest, CycleIsNamed) {
  // r1/a <- r1/b (written order); r1/a waits for r2/c, which waits for r1/b.
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], after: [r2/c]}\n      - {run: [b]}\n",
                       "    programs:\n      - {run: [c], after: [r1/b]}\n")),
            "test.yaml:9:9: error: programs wait for each other in a cycle: "
            "r1/a -> r2/c -> r1/b -> r1/a\n");
}

TEST(ProgramsTest, BadReadiness) {
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {tcp: 80, file: /x}}\n")),
            "test.yaml:8:27: error: readiness of program 'a' of node 'r1' names 'tcp', 'file': "
            "give exactly one condition\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {timeout: 5s}}\n")),
            "test.yaml:8:27: error: readiness of program 'a' of node 'r1' names no condition\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {tcp: 70000}}\n")),
            "test.yaml:8:33: error: tcp 70000 is out of range (1-65535)\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {tcp: http}}\n")),
            "test.yaml:8:33: error: 'tcp' must be an integer, not a string\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {file: run/x}}\n")),
            "test.yaml:8:34: error: readiness of program 'a' of node 'r1': file 'run/x': it is not "
            "absolute\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [a], ready: {log: x, timeout: 11m}}\n")),
            "test.yaml:8:45: error: readiness timeout '11m' is not a duration\n");
}

TEST(ProgramsTest, UnsafePaths) {
  EXPECT_EQ(Errors(Lab("    dirs: [run/frr, /run/../etc, /proc/net, /run//x, /run/x/, /, "
                       "/run/netns/a, /etc/netns, /run/topo/x, /sys, /dev/shm]\n")),
            "test.yaml:7:12: error: private dir 'run/frr': it is not absolute\n"
            "test.yaml:7:21: error: private dir '/run/../etc': it has a '..' component\n"
            "test.yaml:7:34: error: private dir '/proc/net': it is under /proc, which belongs to "
            "the kernel or to topo and ip netns\n"
            "test.yaml:7:45: error: private dir '/run//x': it has an empty component ('//')\n"
            "test.yaml:7:54: error: private dir '/run/x/': it ends with '/'\n"
            "test.yaml:7:63: error: private dir '/': it is '/'\n"
            "test.yaml:7:66: error: private dir '/run/netns/a': it is under /run/netns, which "
            "belongs to the kernel or to topo and ip netns\n"
            "test.yaml:7:80: error: private dir '/etc/netns': it is under /etc/netns, which "
            "belongs to the kernel or to topo and ip netns\n"
            "test.yaml:7:92: error: private dir '/run/topo/x': it is under /run/topo, which "
            "belongs to the kernel or to topo and ip netns\n"
            "test.yaml:7:105: error: private dir '/sys': it is under /sys, which belongs to the "
            "kernel or to topo and ip netns\n"
            "test.yaml:7:111: error: private dir '/dev/shm': it is under /dev, which belongs to "
            "the kernel or to topo and ip netns\n");
  EXPECT_EQ(Errors(Lab("    dirs: [/run/frr, /run/frr/x]\n")),
            "test.yaml:7:22: error: private dir '/run/frr/x' is inside private dir '/run/frr'\n");
  EXPECT_EQ(Errors(Lab("    dirs: [/run/frr]\n    files: {/run/frr: x, /etc/a: x, /etc/a/b: y, "
                       "./x: z}\n")),
            "test.yaml:8:13: error: file '/run/frr' is also a private dir of node 'r1'\n"
            "test.yaml:8:26: error: file '/etc/a' is where file '/etc/a/b' would be\n"
            "test.yaml:8:50: error: file './x': it is not absolute\n");
  // /procx is not /proc.
  Valid(Lab("    dirs: [/procx, /run/netns2]\n"));
}

TEST(ProgramsTest, OnlyHostsAndRouters) {
  EXPECT_EQ(Errors("name: s\nnodes:\n  sw:\n    kind: switch\n    programs:\n      - run: [x]\n"),
            "test.yaml:6:9: error: node 'sw' is a switch: only hosts and routers have files, "
            "private directories and programs\n");
  EXPECT_EQ(Errors("name: s\nnodes:\n  h:\n    kind: root\n    dirs: [/run/x]\n"),
            "test.yaml:5:12: error: node 'h' is the host itself (kind root): only hosts and "
            "routers have files, private directories and programs\n");
}

TEST(ProgramsTest, ProgramNamesAndValues) {
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [/bin/a]}\n      - {run: [/sbin/a]}\n")),
            "test.yaml:9:15: error: program name 'a' is already used in node 'r1' at line 8\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {name: 'a b', run: [x]}\n")),
            "test.yaml:8:16: error: program name 'a b' is not a safe file name: whitespace is "
            "not allowed\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [x], env: {1A: b}, cwd: tmp, user: 'a b', "
                       "stop_timeout: 61s}\n")),
            "test.yaml:8:30: error: program 'x' of node 'r1': '1A' is not an environment "
            "variable name\n"
            "test.yaml:8:39: error: program 'x' of node 'r1': cwd 'tmp': it is not absolute\n"
            "test.yaml:8:50: error: program 'x' of node 'r1': 'a b' is not a user name\n"
            "test.yaml:8:71: error: program 'x' of node 'r1': stop_timeout 61s is longer than "
            "60s\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: []}\n")),
            "test.yaml:8:15: error: 'run' must not be empty\n");
}

TEST(ProgramsTest, BadPlaceholdersAreReportedAtTheValue) {
  EXPECT_EQ(Errors(Lab("    files: {/etc/a: \"{{nodes}}\"}\n")),
            "test.yaml:7:21: error: file '/etc/a': unknown placeholder '{{nodes}}' (did you "
            "mean '{{node}}'?)\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [x, \"{{addr r2:eth1}}\"]}\n")),
            "test.yaml:8:19: error: program 'x' of node 'r1': node 'r2' has no interface 'eth1' "
            "(placeholder '{{addr r2:eth1}}') (did you mean 'eth0'?)\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [x], env: {A: \"{{addr6 r2:eth0}}\"}}\n")),
            "test.yaml:8:29: error: program 'x' of node 'r1': interface 'r2:eth0' has no IPv6 "
            "address (placeholder '{{addr6 r2:eth0}}')\n");
  EXPECT_EQ(Errors(Lab("    programs:\n      - {run: [x], ready: {command: [\"{{ lab\"]}}\n")),
            "test.yaml:8:38: error: readiness of program 'x' of node 'r1': '{{' without a "
            "closing '}}'\n");
  // Not substituted: not checked.
  Valid(Lab("    files: {/etc/a: {content: \"{{nodes}}\", substitute: false}}\n"));
}

TEST(ProgramsTest, CheckToAProgramsPort) {
  const std::string web =
      "    programs:\n      - {name: web, run: [w], ready: {tcp: 8080}}\n"
      "      - {name: log, run: [l], ready: {log: x}}\n";
  Topology t = Valid(Lab("", web, "checks:\n  - {from: r1, to: r2, tcp: web}\n"));
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_EQ(t.checks[0].port, 8080);
  EXPECT_EQ(t.checks[0].port_program, "web");
  EXPECT_FALSE(t.checks[0].listen);
  t = Valid(Lab("", web, "checks:\n  - {from: r1, to: r2, tcp: web, listen: true}\n"));
  EXPECT_TRUE(t.checks[0].listen);
  EXPECT_EQ(Errors(Lab("", web, "checks:\n  - {from: r1, to: r2, tcp: wbe}\n")),
            "test.yaml:16:29: error: node 'r2' has no program 'wbe' (did you mean 'web'?)\n");
  EXPECT_EQ(Errors(Lab("", web, "checks:\n  - {from: r1, to: r2, tcp: log}\n")),
            "test.yaml:16:29: error: program 'log' of node 'r2' is not ready on a tcp port, so "
            "'tcp: log' has no port\n");
  EXPECT_EQ(Errors(Lab("", web, "checks:\n  - {from: r1, to: 10.0.0.2, tcp: web}\n")),
            "test.yaml:16:35: error: 'tcp: web' names a program, but 'to' is an address, not a "
            "node\n");
  EXPECT_NE(Errors(Lab("", web, "checks:\n  - {from: r1, to: r2, udp: web}\n"))
                .find("a udp check cannot go to program 'web'"),
            std::string::npos);
}

TEST(ProgramsTest, StartOrderIsStableAndTopological) {
  Topology t = Valid(Lab("    programs:\n      - {run: [a], after: [r2/c]}\n      - {run: [b]}\n",
                         "    programs:\n      - {run: [c]}\n      - {run: [d], after: [r1/b]}\n"));
  std::vector<std::string> order;
  for (const ProgramRef& p : StartOrder(t)) {
    order.push_back(t.nodes[p.node].name + "/" + t.nodes[p.node].programs[p.program].name);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"r2/c", "r1/a", "r1/b", "r2/d"}));
}

// ---- from: files ----

class FromFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_EQ(::mkdir((dir_ / "conf").c_str(), 0755), 0);
    Write(dir_ / "conf/daemons", "zebra=yes\n");
    ASSERT_EQ(::symlink("/etc/hostname", (dir_ / "conf/link").c_str()), 0);
    ASSERT_EQ(::symlink("/etc", (dir_ / "conf/etc").c_str()), 0);
    Write(dir_ / "big", std::string((1 << 20) + 1, 'x'));
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  // Validates `yaml` as the file lab.yaml in the directory.
  std::optional<Topology> Load(const std::string& files, DiagnosticList* diags) {
    const std::string path = dir_ / "lab.yaml";
    Write(path, Lab("    files:\n" + files));
    Document doc;
    auto t = LoadAndValidate(path, {}, &doc, diags);
    return t;
  }
  std::string Errors(const std::string& files) {
    DiagnosticList diags;
    EXPECT_FALSE(Load(files, &diags));
    std::string out;
    for (const Diagnostic& d : diags.items()) out += d.message + "\n";
    return out;
  }
  testing::TempDir dir_{"topo-from"};
};

TEST_F(FromFileTest, ReadsAFileNextToTheTopology) {
  DiagnosticList diags;
  auto t = Load("      /etc/frr/daemons: {from: conf/daemons, mode: \"0640\"}\n", &diags);
  ASSERT_TRUE(t) << Brief(diags);
  EXPECT_EQ(t->nodes[0].files[0].content, "zebra=yes\n");
  EXPECT_EQ(t->nodes[0].files[0].mode, 0640);
  EXPECT_EQ(t->nodes[0].files[0].from, "conf/daemons");
}

TEST_F(FromFileTest, RefusesEscapesLinksAndBigFiles) {
  EXPECT_EQ(Errors("      /a: {from: ../lab.yaml}\n"),
            "cannot use 'from: ../lab.yaml' for file '/a': it has a '..' component, which would "
            "leave the topology's directory\n");
  EXPECT_EQ(Errors("      /a: {from: /etc/hostname}\n"),
            "cannot use 'from: /etc/hostname' for file '/a': it is absolute\n");
  EXPECT_EQ(Errors("      /a: {from: conf/link}\n"),
            "cannot use 'from: conf/link' for file '/a': 'conf/link' is a symbolic link, which "
            "topo does not follow\n");
  EXPECT_EQ(Errors("      /a: {from: conf/etc/hostname}\n"),
            "cannot use 'from: conf/etc/hostname' for file '/a': 'conf/etc' is not a directory "
            "(or is a symbolic link, which topo does not follow)\n");
  EXPECT_EQ(Errors("      /a: {from: conf}\n"),
            "cannot use 'from: conf' for file '/a': 'conf' is not a regular file\n");
  EXPECT_EQ(Errors("      /a: {from: missing}\n"),
            "cannot use 'from: missing' for file '/a': cannot open 'missing': No such file or "
            "directory\n");
  EXPECT_EQ(Errors("      /a: {from: big}\n"),
            "cannot use 'from: big' for file '/a': 'big' is 1048577 bytes, more than the limit of "
            "1048576\n");
  EXPECT_EQ(Errors("      /a: {from: conf/daemons, content: x}\n"),
            "file '/a' has both 'content' and 'from'\n");
  EXPECT_EQ(Errors("      /a: {mode: \"0640\"}\n"), "file '/a' has neither 'content' nor 'from'\n");
  EXPECT_EQ(Errors("      /a: {content: x, mode: \"4755\"}\n"),
            "mode '4755' of file '/a' is not permission bits\n");
}

TEST(ReadBeneathTest, RelativePathProblems) {
  EXPECT_EQ(RelativePathProblem("a/b"), "");
  EXPECT_EQ(RelativePathProblem(""), "it is empty");
  EXPECT_EQ(RelativePathProblem("/a"), "it is absolute");
  EXPECT_EQ(RelativePathProblem("a//b"), "it has an empty component ('//' or a trailing '/')");
  EXPECT_EQ(RelativePathProblem("a/"), "it has an empty component ('//' or a trailing '/')");
  EXPECT_EQ(RelativePathProblem("./a"), "it has a '.' component");
}

// ---- substitution ----

class SubstituteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_ = Valid(Lab("", "", ""));
    t_.prefix = "p-";
  }
  std::string Sub(const std::string& text) {
    std::string out;
    auto e = Substitute(text, t_, t_.nodes[0], &out);
    EXPECT_FALSE(e) << e->message;
    return out;
  }
  std::string Error(const std::string& text) {
    auto e = Substitute(text, t_, t_.nodes[0], nullptr);
    EXPECT_TRUE(e) << text;
    return e ? e->message : "";
  }
  Topology t_;
};

TEST_F(SubstituteTest, EveryPlaceholder) {
  EXPECT_EQ(Sub("{{node}} {{ns}} {{lab}} {{name}} {{prefix}}"), "r1 p-r1 p-progs progs p-");
  EXPECT_EQ(Sub("{{addr r2:eth0}} {{cidr r2:eth0}}"), "10.0.0.2 10.0.0.2/24");
  EXPECT_EQ(Sub("{{addr6 r1:eth0}} {{cidr6 r1:eth0}}"), "2001:db8::1 2001:db8::1/64");
  EXPECT_EQ(Sub("a{{node}}b{{node}}c"), "ar1br1c");
  EXPECT_EQ(Sub("no placeholder { } }}"), "no placeholder { } }}");
  EXPECT_EQ(Sub(""), "");
}

TEST_F(SubstituteTest, SpacesInsideTheBraces) {
  EXPECT_EQ(Sub("{{ node }} {{  addr   r2:eth0 }} {{\tlab\t}}"), "r1 10.0.0.2 p-progs");
}

TEST_F(SubstituteTest, Errors) {
  EXPECT_EQ(Error("x {{nod}}"), "unknown placeholder '{{nod}}' (did you mean '{{node}}'?)");
  EXPECT_EQ(Error("{{node r1}}"), "unknown placeholder '{{node r1}}'");
  EXPECT_EQ(Error("{{}}"), "unknown placeholder '{{}}'");
  EXPECT_EQ(Error("{{ node"), "'{{' without a closing '}}'");
  EXPECT_EQ(Error("{{addr r2}}"), "placeholder '{{addr r2}}' needs NODE:INTERFACE");
  EXPECT_EQ(Error("{{addr}}"), "placeholder '{{addr }}' needs NODE:INTERFACE");
  EXPECT_EQ(Error("{{addr r9:eth0}}"),
            "unknown node 'r9' in placeholder '{{addr r9:eth0}}' (did you mean 'r1'?)");
  EXPECT_EQ(Error("{{addr6 r2:eth0}}"),
            "interface 'r2:eth0' has no IPv6 address (placeholder '{{addr6 r2:eth0}}')");
  auto e = Substitute("ab {{x}}", t_, t_.nodes[0], nullptr);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->offset, 3u);
  EXPECT_NE(e->hint.find("{{addr NODE:IF}}"), std::string::npos);
}

}  // namespace
}  // namespace topo
