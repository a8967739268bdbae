// topo-bench: how long topo takes to build and remove labs, and how that compares.
//
//   topo-bench {SHAPE N...|programs N...|checks N...|seed|cycles [N]|all}... [--runs 5]
//              [--baseline-runs K] [--settle-ms MS] [--count 500] [--json FILE] [--topo PATH]
//              [--python PATH] [--listener PATH] [--no-script] [--no-batch] [--no-mininet]
//              [--print-yaml] [--rootless]
//
// --rootless adds the row "topo rootless": the same cycle as `topo --rootless up/down`, in
// the user-namespace sandbox of docs/ROOTLESS.md (a holder process kept between the two).
//
// Labs: SHAPE N is the lab `topo gen SHAPE N --checks none` prints (gen/gen.h, docs/gen.md;
// addresses from pools, `routes: auto`): `star N` (router r, hosts h1..hN, one link each),
// `chain N` (routers r1..rN in a line, host a at r1 and b at rN), `tree N` (switch s0,
// ceil(sqrt(N)) leaf switches under it, hosts h1..hN spread over the leaves, one segment),
// `clos N` (N leaves, 2 spines, a host per leaf), and `ring`, `mesh`, `grid`. `programs N` is
// star N with one program per host: topo-bench-listen, built next to topo-bench (or --listener
// PATH), listening on TCP port 7000, with `ready: {tcp: 7000}`; `up` is then the time until all
// N are ready, `down` includes ending them; topo only: the baselines have no programs. `seed` is
// topologies/server-router-client.yaml, the CI fixture. Every lab goes through topo's front end
// (Validate) here too, and the baselines get its typed, addressed topology: every address and
// route explicit. `all` is the table of docs/PERFORMANCE.md: star 10 100 1000, chain 10 100,
// tree 10 100 1000, programs 100 1000, seed, cycles. Each lab is timed (median of --runs; before
// every `up` the machine is left to settle for --settle-ms: default 1000 ms for N >= 100, 200 ms
// otherwise, and when this lab or the one before it has 1000 nodes or more, until the kernel's
// background work is over as well, see WaitForKernel) as:
//   topo     `topo up FILE --prefix P`, then `topo down LAB`: whole processes, fork to wait4;
//   script   bash running topo's own `plan --format shell` script, then its `--teardown` one;
//   batch    the same commands regrouped for `ip -batch`: `netns add`/`link add` in one batch in
//            the root namespace, one `ip -n NS -batch` per namespace, one sysctl per namespace;
//   mininet  mininet 2.3's Python API, hosts, routers and direct links only (no switch;
//   mininet_cycle.py, timed
//            inside Python), if `python3 -c 'import mininet'` works (else "mininet: not
//            installed"); it skips Mininet.init(), whose fixLimits() changes host-wide sysctls.
// Baselines run --baseline-runs times (default --runs, at most 3 for N >= 1000). Ratios are
// medians over topo's medians from the same invocation. Peak memory is wait4's ru_maxrss of the
// `topo up` child (of the Python process for mininet).
// topo's row also has `status` (the wall time of `topo status LAB` right after `up`), `status
// settled` (the same once the kernel's own work after `up` is over: no more than 5% of the CPUs'
// time in the kernel for two seconds in a row, waiting at most N x 6 ms or 3 s; see WaitForKernel)
// and, for
// `checks N` (N declared pings on a star of ceil(sqrt(N)) hosts, see WithChecks), `checks`: the
// wall time of `topo test --lab LAB`, which runs them on the lab that is up.
// `cycles [N]`: --count back-to-back up/down cycles of the seed lab (of star N if given; medians
// of the first and of the last 50), then 50 cycles with the settle delay before each. The kernel
// frees namespaces in the background, so back-to-back cycles can be slower than settled ones
// while topo's own CPU time (reported too) stays flat: that gap is the kernel's cleanup.
//
// Safety: namespaces are named with a per-run prefix b<pid>-<lab>-, and topo keeps its state in a
// private TOPO_STATE_DIR under a temporary directory. At exit, also after an error or
// SIGINT/SIGTERM, it runs `topo down` for each of its labs and `ip netns del` for each of their
// namespace names that still exists. It kills nothing, sends no traffic and starts programs from
// argv vectors; bash only runs topo's own plan output (or its regrouping for ip -batch).
// Output: a Markdown table on stdout (progress on stderr); every sample with --json FILE.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "front/load.h"
#include "front/validate.h"
#include "gen/gen.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Strings = std::vector<std::string>;

volatile sig_atomic_t g_interrupted = 0;
std::string g_log;  // children's stdout/stderr go to g_log.out/.err by default (or /dev/null)

struct Options {
  std::string topo, python, json_file, command, listener;
  std::vector<std::pair<std::string, std::vector<int>>> jobs;  // mode, sizes
  int runs = 5, baseline_runs = -1, settle_ms = -1, count = 500;
  bool script = true, batch = true, mininet = true, print_yaml = false;
  bool rootless = false;  // also time `topo --rootless` (its sandbox) in the same run
};

// ---- processes ----

struct Proc {
  int status = -1;
  double wall_ms = 0, user_ms = 0, sys_ms = 0;
  long rss_kib = 0;
  bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

void CheckInterrupted() {
  if (g_interrupted) throw std::runtime_error("interrupted");
}

// Runs argv with stdin from /dev/null and stdout/stderr to files; times it from fork to wait4.
Proc Run(const Strings& argv, std::string out = "", std::string err = "") {
  if (out.empty()) out = g_log.empty() ? "/dev/null" : g_log + ".out";
  if (err.empty()) err = g_log.empty() ? "/dev/null" : g_log + ".err";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0) _exit(126);
    dup2(in, 0), dup2(o, 1), dup2(e, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  Proc p;
  struct rusage ru {};
  while (wait4(pid, &p.status, 0, &ru) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("wait4: ") + strerror(errno));
  }
  p.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto tv = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  p.user_ms = tv(ru.ru_utime), p.sys_ms = tv(ru.ru_stime);
  p.rss_kib = ru.ru_maxrss;
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The CPUs' time spent in the kernel (system, irq, softirq) and in all, from /proc/stat.
std::pair<long long, long long> KernelAndTotalTicks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v[8] = {};
  in >> cpu;
  for (long long& x : v) in >> x;  // user nice system idle iowait irq softirq steal
  long long total = 0;
  for (long long x : v) total += x;
  return {v[2] + v[5] + v[6], total};
}

void SleepMs(int ms);

// Waits, at most max_ms, until the kernel's own work after an `up` is over (a lab's IPv6
// addresses, multicast reports and neighbour discovery run in kernel workers for tens of seconds
// after a big `up`, and `status` competes with them for the CPUs and the rtnl lock): until the
// CPUs spent under 5% of their time in the kernel in each of two one-second windows in a row.
// User time is not counted: another process's build does not hold the lab's kernel locks.
// Returns how long it waited.
int WaitForKernel(int max_ms) {
  const auto start = std::chrono::steady_clock::now();
  auto waited = [&] {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
  };
  int quiet = 0;
  auto [kernel, total] = KernelAndTotalTicks();
  while (quiet < 2 && waited() < max_ms) {
    SleepMs(1000);
    auto [k, t] = KernelAndTotalTicks();
    quiet = t > total && (k - kernel) * 20 < t - total ? quiet + 1 : 0;
    kernel = k, total = t;
  }
  return waited();
}

void SleepMs(int ms) {
  for (int left = ms; left > 0; left -= 50) {
    CheckInterrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(left, 50)));
  }
  CheckInterrupted();
}

// ---- lab model: labs from `topo gen` (gen/gen.h) and the seed, as topo validates them ----

// A lab as the baselines need it: every address and route explicit, read from topo's typed
// topology after its front end (Validate) has assigned the pools' addresses and computed
// `routes: auto`. mininet gets it as JSON (ToMininet); the bash and ip -batch scripts are topo's
// own `plan --format shell` of the same file.
struct Node {
  std::string name;
  bool router = false;
  std::vector<std::pair<std::string, std::string>> ifaces;  // name, address/len ("lo" too)
  std::vector<std::pair<std::string, std::string>> routes;  // to, via
  std::vector<std::array<std::string, 3>> snat;             // source, out, to
};
struct Link {
  std::string a, ia, b, ib;
};
struct Lab {
  std::string name, label, file;  // file: the topology YAML topo reads
  int n = 0;
  std::string yaml;  // the generated text (written to `file` by Prepare); empty for the seed
  std::vector<Node> nodes;
  std::vector<Link> links;
  bool mininet = true;    // mininet is measured on hosts, routers and direct links only
  bool baselines = true;  // bash script and ip -batch (not for labs with programs)
  bool checks = false;    // `checks N`: time `topo test --lab` between up and down
};

constexpr int kListenPort = 7000;
std::string g_listener;  // the listener's absolute path (programs mode)

// Runs topo's front end on `text` (named `file` in diagnostics) and fills l's nodes and links
// from the validated topology; throws with the diagnostics when it is not valid.
void FromTopology(const std::string& file, const std::string& text, Lab* l) {
  std::string error;
  topo::LoadLimits limits = topo::LoadLimitsFromEnvironment(&error);
  if (!error.empty()) throw std::runtime_error(error);
  topo::Document doc;
  topo::DiagnosticList diags(file);
  std::optional<topo::Topology> t;
  if (topo::LoadText(file, text, &doc, &diags, limits)) t = topo::Validate(doc, {}, &diags);
  if (!t || diags.has_errors()) {
    throw std::runtime_error(file + " is not valid:\n" + topo::FormatDiagnostics(diags, text));
  }
  for (const topo::Node& n : t->nodes) {
    Node b{n.name, n.forwards()};
    if (n.kind == topo::NodeKind::kSwitch || n.kind == topo::NodeKind::kRoot) l->mininet = false;
    for (const topo::Interface& i : n.interfaces) {
      for (const topo::Prefix& a : i.addresses) b.ifaces.emplace_back(i.name, a.ToString());
    }
    for (const topo::Route& r : n.routes) {
      if (r.via) b.routes.emplace_back(r.DestinationString(), r.via->ToString());
    }
    for (const topo::SnatRule& r : n.snat) {
      b.snat.push_back({r.source.ToString(), r.out, r.to ? r.to->ToString() : ""});
    }
    l->nodes.push_back(std::move(b));
  }
  for (const topo::Link& k : t->links) {
    l->links.push_back({k.a.node, k.a.interface, k.b.node, k.b.interface});
  }
}

// `topo gen MODE N` (no checks: the benchmark times up and down) for every shape of gen/gen.h;
// `programs N` is star N whose hosts run the listener (the router runs nothing).
Lab Generated(const std::string& mode, int n, bool validate = true) {
  topo::gen::Options o;
  o.shape = topo::gen::ParseShape(mode == "programs" ? "star" : mode).value();
  o.n = n;
  o.checks = topo::gen::CheckSet::kNone;
  Lab l{mode + std::to_string(n), mode + " " + std::to_string(n), "", n};
  if (mode == "programs") {
    o.name = l.name, l.label = "star " + std::to_string(n) + " programs";
    l.mininet = false, l.baselines = false;
  }
  topo::gen::GeneratedLab g;
  if (topo::Status s = topo::gen::Generate(o, &g); !s.ok()) throw std::runtime_error(s.message());
  l.yaml = std::move(g.yaml);
  if (mode == "programs") {
    const std::string host = "{kind: host}";
    const std::string with = "{kind: host, programs: [{name: listen, run: [" +
                             json(g_listener).dump() + ", \"" + std::to_string(kListenPort) +
                             "\"], ready: {tcp: " + std::to_string(kListenPort) + "}}]}";
    for (size_t at = l.yaml.find(host); at != std::string::npos; at = l.yaml.find(host, at)) {
      l.yaml.replace(at, host.size(), with);
      at += with.size();
    }
  }
  if (validate) FromTopology(l.name + ".yaml", l.yaml, &l);
  return l;
}

// `checks N`: N declared pings over few neighbours, so that the machine-wide neighbour table
// (gc_thresh3, 1024 by default; derive/neighbours.h) does not decide the result: star S with
// S = ceil(sqrt(N)), host h_i pinging the router's address on link j for the first N pairs
// (i, j). Each host then needs one neighbour entry and the router S.
Lab WithChecks(int n) {
  int s = 1;
  while (s * s < n) ++s;
  Lab l = Generated("star", s);
  l.name = "checks" + std::to_string(n), l.label = "checks " + std::to_string(n);
  l.mininet = false, l.baselines = false, l.checks = true;
  std::vector<std::string> router;  // its addresses, one per link
  for (const Node& node : l.nodes) {
    if (node.name != "r") continue;
    for (const auto& [ifname, address] : node.ifaces) {
      if (ifname != "lo") router.push_back(address.substr(0, address.find('/')));
    }
  }
  std::string& y = l.yaml;
  y.replace(y.find("name: star" + std::to_string(s)), 10 + std::to_string(s).size(),
            "name: " + l.name);
  y += "checks:\n";
  for (int k = 0; k < n; ++k) {
    const int host = k / s + 1, link = k % s;
    y += "  - {from: h" + std::to_string(host) + ", to: " + router.at(link) + "}\n";
  }
  return l;
}

// The seed lab: topo reads the file itself; the baselines get it through the same front end.
Lab Seed() {
  Lab l{"server-router-client", "seed", TOPO_SOURCE_DIR "/topologies/server-router-client.yaml"};
  l.n = 3;
  FromTopology(l.file, ReadFile(l.file), &l);
  return l;
}

bool Sized(const std::string& mode) {
  return mode == "programs" || mode == "checks" || topo::gen::ParseShape(mode).has_value();
}

json ToMininet(const Lab& l) {
  json j = {{"nodes", json::array()}, {"links", json::array()}};
  for (const Node& n : l.nodes) {
    j["nodes"].push_back(json{{"name", n.name},
                              {"router", n.router},
                              {"ifaces", n.ifaces},
                              {"routes", n.routes},
                              {"snat", n.snat}});
  }
  for (const Link& k : l.links) j["links"].push_back(Strings{k.a, k.ia, k.b, k.ib});
  return j;
}

// Regroups a `topo plan --format shell` script for `ip -batch`: root-namespace `ip netns`/`ip
// link` commands into one batch, `ip -n NS ...` into one batch per namespace (in first-seen
// order), then one `sysctl` per namespace for all its keys, then anything else (iptables).
std::string ToBatchScript(const std::string& script) {
  Strings root, others, order;
  std::map<std::string, Strings> per_ns, sysctls;
  std::istringstream in(script);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("set ", 0) == 0) continue;
    std::istringstream ws(line);
    Strings t{std::istream_iterator<std::string>(ws), {}};
    auto rest = [&](size_t from) {
      std::string s;
      for (size_t i = from; i < t.size(); ++i) s += (i > from ? " " : "") + t[i];
      return s;
    };
    bool plain =
        !t.empty() && t[0] == "ip" && line.find_first_of("'\"\\$;&|<>") == std::string::npos;
    if (plain && t.size() > 3 && t[1] == "-n") {
      if (!per_ns.count(t[2]) && !sysctls.count(t[2])) order.push_back(t[2]);
      per_ns[t[2]].push_back(rest(3));
    } else if (plain && t.size() > 2 &&
               (t[1] == "link" || (t[1] == "netns" && (t[2] == "add" || t[2] == "del")))) {
      root.push_back(rest(1));
    } else if (plain && t.size() == 7 && t[1] == "netns" && t[2] == "exec" && t[4] == "sysctl") {
      if (!per_ns.count(t[3]) && !sysctls.count(t[3])) order.push_back(t[3]);
      sysctls[t[3]].push_back(t[6]);
    } else {
      others.push_back(line);
    }
  }
  std::string s = "#!/usr/bin/env bash\nset -euo pipefail\n";
  auto batch = [&](const std::string& opts, const Strings& lines) {
    if (lines.empty()) return;
    s += "ip " + opts + "-batch - <<'EOF'\n";
    for (const std::string& l : lines) s += l + "\n";
    s += "EOF\n";
  };
  batch("", root);
  for (const std::string& ns : order) batch("-n " + ns + " ", per_ns[ns]);
  for (const std::string& ns : order) {
    if (!sysctls.count(ns)) continue;
    s += "ip netns exec " + ns + " sysctl -qw";
    for (const std::string& kv : sysctls[ns]) s += " " + kv;
    s += "\n";
  }
  for (const std::string& l : others) s += l + "\n";
  return s;
}

// ---- the benchmark ----

struct Row {
  std::string lab, method;
  std::vector<double> up, down, total, cpu;
  long rss_kib = 0;
  std::vector<double> status, checks;  // topo only: `topo status LAB`, `topo test --lab LAB`
  std::vector<double> status_settled;  // topo only: `topo status LAB` after WaitForKernel
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Row, lab, method, up, down, total, cpu, rss_kib, status, checks,
                                   status_settled)

struct Cycle {
  double up = 0, down = 0, user = 0, sys = 0;  // wall times; CPU times of the children
  long rss_kib = 0;
  double status = -1, checks = -1, status_settled = -1;  // wall times, when measured
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {
    prefix_ = "b" + std::to_string(getpid()) + "-";
    tmp_ = fs::temp_directory_path() / ("topo-bench-" + std::to_string(getpid()));
    fs::create_directories(tmp_);
    g_log = tmp_ + "/last";
    setenv("TOPO_STATE_DIR", (tmp_ + "/state").c_str(), 1);
    unsetenv("TOPO_TEST_STOP_AFTER");
    if (o_.mininet) FindMininet();
    load_ = ReadFile("/proc/loadavg");
    time_t now = time(nullptr);
    strftime(date_, sizeof date_, "%Y-%m-%d %H:%M", localtime(&now));
  }

  // Removes, by exact name, everything any lab of this run may have left behind.
  void Cleanup() {
    for (const std::string& lab : labs_) {
      Run({o_.topo, "down", lab});
      if (o_.rootless) Run({o_.topo, "--rootless", "down", lab});
    }
    for (const std::string& ns : namespaces_) {
      if (fs::exists("/run/netns/" + ns)) {
        std::cerr << "cleanup: ip netns del " << ns << "\n";
        Run({"ip", "netns", "del", ns});
      }
    }
    labs_.clear(), namespaces_.clear();
    std::error_code ec;
    g_log.clear();
    fs::remove_all(tmp_, ec);
  }

  void Measure(Lab l) {
    std::string p = Prepare(l, ""), full = p + l.name, dir = tmp_ + "/" + l.name;
    int settle = o_.settle_ms >= 0 ? o_.settle_ms : l.n >= 100 ? 1000 : 200;
    int bruns = o_.baseline_runs >= 0 ? o_.baseline_runs
                : l.n >= 1000         ? std::min(o_.runs, 3)
                                      : o_.runs;
    auto measure = [&](const std::string& method, int runs, const std::function<Cycle()>& cycle) {
      Row r{l.label, method, {}, {}, {}, {}, 0, {}, {}, {}};
      for (int i = 0; i < runs; ++i) {
        SleepMs(settle);
        // After a big lab's `down`, the kernel frees its namespaces in the background for tens
        // of seconds (cleanup_net holds the locks `up` needs): wait for that too.
        if (const int big = std::max(l.n, last_n_); big >= 1000) {
          WaitForKernel(std::max(3000, 6 * big));
        }
        std::cerr << "  " << l.label << " " << method << " run " << i + 1 << "/" << runs << "...";
        Cycle c = cycle();
        last_n_ = l.n;
        std::cerr << " up " << c.up << " ms, down " << c.down << " ms\n";
        r.up.push_back(c.up), r.down.push_back(c.down), r.total.push_back(c.up + c.down);
        r.cpu.push_back(c.user + c.sys), r.rss_kib = std::max(r.rss_kib, c.rss_kib);
        if (c.status >= 0) r.status.push_back(c.status);
        if (c.status_settled >= 0) r.status_settled.push_back(c.status_settled);
        if (c.checks >= 0) r.checks.push_back(c.checks);
      }
      rows_.push_back(r);
    };
    measure("topo", o_.runs, [&] {
      return TopoCycle(l.file, p, full, false, true, l.checks, std::max(3000, l.n * 6));
    });
    if (o_.rootless) {
      measure("topo rootless", o_.runs, [&] { return TopoCycle(l.file, p, full, true); });
    }
    if (l.baselines && (o_.script || o_.batch)) {
      std::string up = dir + "/up.sh", down = dir + "/down.sh";
      Check(Run({o_.topo, "plan", l.file, "--format", "shell", "--prefix", p}, up), "topo plan");
      Check(Run({o_.topo, "plan", l.file, "--format", "shell", "--teardown", "--prefix", p}, down),
            "topo plan --teardown");
      if (o_.script) measure("bash script", bruns, [&] { return ScriptCycle(up, down); });
      if (o_.batch) {
        WriteFile(dir + "/up.batch.sh", ToBatchScript(ReadFile(up)));
        WriteFile(dir + "/down.batch.sh", ToBatchScript(ReadFile(down)));
        measure("ip -batch", bruns,
                [&] { return ScriptCycle(dir + "/up.batch.sh", dir + "/down.batch.sh"); });
      }
    }
    if (!python_.empty() && l.mininet) {
      WriteFile(dir + "/mininet.json", ToMininet(l).dump());
      measure("mininet", bruns, [&] { return MininetCycle(dir + "/mininet.json"); });
    }
  }

  // --count cycles back to back, then up to 50 with the settle delay before each: the walls
  // and topo CPU times of all of them, in that order, go to cycles_.
  void Cycles(Lab l) {
    std::string p = Prepare(l, "cycles-"), full = p + l.name;
    cycles_label_ = l.label;
    settle_ = o_.settle_ms >= 0 ? o_.settle_ms : l.n >= 100 ? 1000 : 200;
    int settled = std::min(o_.count, 50);
    SleepMs(settle_);
    std::cerr << "  cycles: " << o_.count << " back-to-back " << l.label << " up/down, then "
              << settled << " with " << settle_ << " ms settle...\n";
    for (int i = 0; i < o_.count + settled; ++i) {
      if (i >= o_.count) SleepMs(settle_);
      int k = 0;
      Cycle c = TopoCycle(l.file, p, full, false);
      double wall = c.up + c.down;
      for (double v : {wall, c.user, c.sys, wall - c.user - c.sys}) cycles_[k++].push_back(v);
    }
  }

  void Report() {
    struct utsname u {};
    uname(&u);
    char line[512];
    std::string cpu = ReadFile("/proc/cpuinfo"), model = "model name\t: ";
    size_t at = cpu.find(model);
    cpu = at == std::string::npos
              ? "?"
              : cpu.substr(at + model.size(), cpu.find('\n', at) - at - model.size());
    std::ostringstream md;
    md << "Command: `" << o_.command << "`  \nMachine: " << sysconf(_SC_NPROCESSORS_ONLN)
       << " CPUs (" << cpu << "), kernel " << u.release << ", started " << date_
       << ", load average " << load_.substr(0, load_.find(' ', load_.find(' ') + 1))
       << " at start\n\n";
    json j = {{"command", o_.command}, {"nproc", sysconf(_SC_NPROCESSORS_ONLN)},
              {"kernel", u.release},   {"cpu", cpu},
              {"labs", rows_},         {"notes", notes_}};
    if (!rows_.empty()) {
      md << "| Lab | Method | up (ms) | down (ms) | up+down (ms) | vs topo | peak RSS (MiB) | "
            "status (ms) | status settled (ms) | checks (ms) |\n"
         << "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
      double topo_total = 0;
      for (const Row& r : rows_) {
        double total = Median(r.total);
        if (r.method == "topo") topo_total = total;
        char rss[32] = "-", status[32] = "-", settled[32] = "-", checks[32] = "-";
        if (r.rss_kib) snprintf(rss, sizeof rss, "%.1f", r.rss_kib / 1024.0);
        if (!r.status.empty()) snprintf(status, sizeof status, "%.1f", Median(r.status));
        if (!r.status_settled.empty()) {
          snprintf(settled, sizeof settled, "%.1f", Median(r.status_settled));
        }
        if (!r.checks.empty()) snprintf(checks, sizeof checks, "%.1f", Median(r.checks));
        snprintf(line, sizeof line,
                 "| %s | %s | %.1f | %.1f | %.1f | %.2fx | %s | %s | %s | %s |\n", r.lab.c_str(),
                 r.method.c_str(), Median(r.up), Median(r.down), total,
                 topo_total > 0 ? total / topo_total : 0.0, rss, status, settled, checks);
        md << line;
      }
      md << "\nMedians; \"vs topo\" is up+down over topo's up+down in the same run.\n\n";
    }
    for (const std::string& n : notes_) md << n << "\n\n";
    if (cycles_[0].size() > size_t(o_.count)) {  // all of them ran
      size_t n = o_.count, k = std::min<size_t>(50, n), e = cycles_[0].size();
      auto row = [&](const std::string& what, size_t from, size_t to) {
        auto med = [&](int i) {
          return Median(std::vector<double>(cycles_[i].begin() + from, cycles_[i].begin() + to));
        };
        snprintf(line, sizeof line, "| %s | %.2f | %.2f | %.2f | %.2f |\n", what.c_str(), med(0),
                 med(1), med(2), med(3));
        md << line;
        return std::pair(med(0), med(3));
      };
      md << "| " << cycles_label_
         << " up+down cycles | wall | topo user CPU | topo system CPU | off-CPU |\n"
         << "|---|--:|--:|--:|--:|\n";
      std::string of = " of " + std::to_string(n) + " back-to-back";
      auto [first, first_off] = row("first " + std::to_string(k) + of, 0, k);
      auto [last, last_off] = row("last " + std::to_string(k) + of, n - k, n);
      auto [settled, settled_off] =
          row(std::to_string(e - n) + " with " + std::to_string(settle_) + " ms settle before each",
              n, e);
      snprintf(line, sizeof line,
               "\nMedians, in ms; off-CPU is wall minus topo's CPU: waiting, e.g. for the kernel's "
               "background namespace cleanup.  \nLast vs first 50: %+.1f%% wall. Off-CPU, "
               "back-to-back (last 50) minus settled: %+.2f ms (wall: %+.2f ms).\n",
               (last / first - 1) * 100, last_off - settled_off, last - settled);
      md << line;
      j["cycles"] = {{"count", n},
                     {"settle_ms", settle_},
                     {"wall_ms", cycles_[0]},
                     {"user_ms", cycles_[1]},
                     {"sys_ms", cycles_[2]},
                     {"off_cpu_ms", cycles_[3]}};
    }
    std::cout << md.str() << std::flush;
    if (!o_.json_file.empty()) WriteFile(o_.json_file, j.dump(1) + "\n");
  }

  void Note(const std::string& s) {
    std::cerr << s << "\n";
    notes_.push_back(s);
  }

 private:
  void Check(const Proc& p, const std::string& what) {
    CheckInterrupted();
    if (p.ok()) return;
    std::string log = ReadFile(g_log + ".out") + ReadFile(g_log + ".err");
    throw std::runtime_error(what + " failed (wait status " + std::to_string(p.status) + ")\n" +
                             log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
  }

  // Writes the lab's YAML if it is generated; returns its prefix (b<pid>-[what]<label>-), after
  // recording its names for Cleanup and refusing names that exist already.
  std::string Prepare(Lab& l, const std::string& what) {
    std::string tag = l.label, dir = tmp_ + "/" + l.name;
    std::erase(tag, ' ');
    std::string p = prefix_ + what + tag + "-";
    fs::create_directories(dir);
    if (l.file.empty()) WriteFile(l.file = dir + "/" + l.name + ".yaml", l.yaml);
    labs_.insert(p + l.name);
    for (const Node& n : l.nodes) {
      if (fs::exists("/run/netns/" + p + n.name)) {
        throw std::runtime_error("namespace " + p + n.name + " exists already; not touching it");
      }
      namespaces_.insert(p + n.name);
    }
    return p;
  }

  // up, then (`status`) `topo status LAB`, again after WaitForKernel(settle_max_ms), and
  // (`checks`) `topo test --lab LAB`, then down.
  Cycle TopoCycle(const std::string& file, const std::string& p, const std::string& full,
                  bool rootless, bool status = false, bool checks = false, int settle_max_ms = 0) {
    Strings up = {o_.topo, "up", file, "--prefix", p}, down = {o_.topo, "down", full};
    if (rootless)
      up.insert(up.begin() + 1, "--rootless"), down.insert(down.begin() + 1, "--rootless");
    Proc u = Run(up);
    Check(u, "topo up " + file);
    Cycle c;
    if (status) {
      Proc s = Run({o_.topo, "status", full});
      Check(s, "topo status " + full);
      c.status = s.wall_ms;
      const int waited = WaitForKernel(settle_max_ms);
      s = Run({o_.topo, "status", full});
      Check(s, "topo status " + full);
      c.status_settled = s.wall_ms;
      std::cerr << " (status " << c.status << " ms, " << c.status_settled << " ms after " << waited
                << " ms)";
    }
    if (checks) {
      Proc t = Run({o_.topo, "test", "--lab", full});
      Check(t, "topo test --lab " + full);
      c.checks = t.wall_ms;
    }
    Proc d = Run(down);
    Check(d, "topo down " + full);
    c.up = u.wall_ms, c.down = d.wall_ms, c.user = u.user_ms + d.user_ms;
    c.sys = u.sys_ms + d.sys_ms, c.rss_kib = u.rss_kib;
    return c;
  }

  Cycle ScriptCycle(const std::string& up, const std::string& down) {
    Proc u = Run({"bash", up});
    Check(u, "bash " + up);
    Proc d = Run({"bash", down});
    Check(d, "bash " + down);
    return {u.wall_ms, d.wall_ms, u.user_ms + d.user_ms, u.sys_ms + d.sys_ms, 0};
  }

  Cycle MininetCycle(const std::string& lab_json) {
    Proc p = Run({python_, TOPO_SOURCE_DIR "/tools/bench/mininet_cycle.py", lab_json});
    Check(p, "mininet");
    Cycle c{0, 0, p.user_ms, p.sys_ms, p.rss_kib};
    std::istringstream in(ReadFile(g_log + ".out"));
    for (std::string w; in >> w;) {
      if (w == "RESULT") in >> c.up >> c.down;
    }
    if (c.up <= 0) throw std::runtime_error("mininet printed no RESULT line");
    return c;
  }

  void FindMininet() {
    Strings candidates =
        o_.python.empty() ? Strings{"python3", "/usr/bin/python3"} : Strings{o_.python};
    for (const std::string& py : candidates) {
      if (Run({py, "-c", "import mininet.net"}).ok()) {
        python_ = py;
        return;
      }
    }
    Note("mininet: not installed");
  }

  Options o_;
  std::string prefix_, tmp_, python_, load_;
  std::set<std::string> labs_, namespaces_;
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
  std::array<std::vector<double>, 4> cycles_;  // wall, user CPU, system CPU, off-CPU per cycle
  int settle_ = 0;
  int last_n_ = 0;  // the size of the lab measured last
  std::string cycles_label_;
  char date_[32] = "";
};

void OnSignal(int) { g_interrupted = 1; }

[[noreturn]] void Usage(const std::string& why) {
  if (!why.empty()) std::cerr << "topo-bench: " << why << "\n";
  std::cerr << "usage: topo-bench {SHAPE N...|programs N...|checks N...|seed|cycles [N]|all}...\n"
               "       SHAPE: star, chain, ring, tree, mesh, clos or grid (as `topo gen`)\n"
               "       [--runs K] [--baseline-runs K] [--settle-ms MS] [--count M] [--json FILE]\n"
               "       [--topo PATH] [--python PATH] [--listener PATH] [--no-script] [--no-batch]\n"
               "       [--no-mininet] [--print-yaml] [--rootless]\n"
               "See the header of tools/bench/topo_bench.cc and docs/PERFORMANCE.md.\n";
  exit(2);
}

Options ParseArgs(int argc, char** argv) {
  std::set<std::string> modes = {"programs", "checks", "seed", "cycles", "all"};
  for (const std::string& shape : topo::gen::ShapeNames()) modes.insert(shape);
  Options o;
  o.command = "topo-bench";
  for (int i = 1; i < argc; ++i) o.command += std::string(" ") + argv[i];
  std::map<std::string, int*> ints = {{"--runs", &o.runs},
                                      {"--baseline-runs", &o.baseline_runs},
                                      {"--settle-ms", &o.settle_ms},
                                      {"--count", &o.count}};
  std::map<std::string, std::string*> strs = {{"--json", &o.json_file},
                                              {"--topo", &o.topo},
                                              {"--python", &o.python},
                                              {"--listener", &o.listener}};
  std::map<std::string, bool*> flags = {{"--no-script", &o.script},
                                        {"--no-batch", &o.batch},
                                        {"--no-mininet", &o.mininet},
                                        {"--print-yaml", &o.print_yaml},
                                        {"--rootless", &o.rootless}};
  auto number = [](const std::string& v) {
    bool digits = !v.empty() && v.size() < 8 && v.find_first_not_of("0123456789") == v.npos;
    return digits ? std::stoi(v) : -1;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v = i + 1 < argc ? argv[i + 1] : "";
    if (ints.count(a) && number(v) >= 0) {
      *ints[a] = number(v), ++i;
    } else if (strs.count(a) && !v.empty()) {
      *strs[a] = v, ++i;
    } else if (flags.count(a)) {
      *flags[a] = a == "--print-yaml" || a == "--rootless";  // the others are --no-X
    } else if (modes.count(a)) {
      o.jobs.push_back({a, {}});
    } else if (!o.jobs.empty() && number(a) >= 1 && number(a) <= 10000) {
      o.jobs.back().second.push_back(number(a));
    } else {
      Usage(a == "-h" || a == "--help" ? "" : "bad argument or value: " + a);
    }
  }
  if (o.jobs.empty()) Usage("");
  for (const auto& [mode, sizes] : o.jobs) {
    if (Sized(mode) != !sizes.empty() && (mode != "cycles" || sizes.size() > 1)) {
      Usage(
          "the shapes, programs and checks take sizes (1..10000), cycles one or none, the others "
          "none");
    }
  }
  if (o.runs < 1 || o.count < 1) Usage("--runs and --count must be at least 1");
  fs::path here = fs::read_symlink("/proc/self/exe").parent_path();
  if (o.topo.empty()) o.topo = (here / "topo").string();
  if (o.listener.empty()) o.listener = (here / "topo-bench-listen").string();
  g_listener = fs::absolute(o.listener).string();
  return o;
}

}  // namespace

// An exception no step expects (a bad path from ParseArgs) ends the process.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  if (o.print_yaml) {  // the generated labs, to try by hand
    try {
      for (const auto& [mode, sizes] : o.jobs) {
        for (int n : sizes) {
          std::cout << (mode == "checks" ? WithChecks(n) : Generated(mode, n, false)).yaml
                    << "---\n";
        }
      }
    } catch (const std::exception& e) {
      std::cerr << "topo-bench: " << e.what() << "\n";
      return 2;
    }
    return 0;
  }
  // star 10000 has 10001 nodes, more than topo takes by default.
  setenv("TOPO_MAX_NODES", "20002", 0);
  if (geteuid() != 0) {
    std::cerr << "topo-bench: needs root (it creates network namespaces)\n";
    return 2;
  }
  if (access(o.topo.c_str(), X_OK) != 0) {
    std::cerr << "topo-bench: no topo binary at " << o.topo << " (use --topo PATH)\n";
    return 2;
  }
  bool programs = false;
  for (const auto& job : o.jobs)
    programs = programs || job.first == "programs" || job.first == "all";
  if (programs && access(g_listener.c_str(), X_OK) != 0) {
    std::cerr << "topo-bench: no listener at " << g_listener << " (use --listener PATH)\n";
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;  // no SA_RESTART: the current step ends, then Cleanup runs
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);

  std::cerr << std::fixed << std::setprecision(1);
  Bench b(o);
  int rc = 0;
  try {
    for (auto [m, sizes] : o.jobs) {
      if (m == "all") {  // the table for docs/PERFORMANCE.md
        for (int n : {10, 100, 1000}) b.Measure(Generated("star", n));
        for (int n : {10, 100}) b.Measure(Generated("chain", n));
        for (int n : {10, 100, 1000}) b.Measure(Generated("tree", n));
        for (int n : {100, 1000}) b.Measure(Generated("programs", n));
      }
      if (Sized(m)) {
        for (int n : sizes) b.Measure(m == "checks" ? WithChecks(n) : Generated(m, n));
      }
      if (m == "seed" || m == "all") b.Measure(Seed());
      if ((m == "cycles" && sizes.empty()) || m == "all") b.Cycles(Seed());
      if (m == "cycles" && !sizes.empty()) b.Cycles(Generated("star", sizes.at(0)));
    }
  } catch (const std::exception& e) {
    std::cerr << "topo-bench: " << e.what() << "\n";
    rc = 1;
  }
  b.Cleanup();
  b.Report();
  return rc;
}
