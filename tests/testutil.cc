#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "lab/apply.h"
#include "plan/compile.h"
#include "sandbox/sandbox.h"
#include "support/recording_backend.h"

namespace topo::testing {
namespace {

// TOPO_TEST_ROOTLESS=1 (tests/rootless/): without root, the whole test
// process enters a sandbox of its own before main, while it has one thread,
// so the integration tests run unchanged as the sandbox's root. When that is
// refused the process ends at once, saying why: a rootless run must not pass
// by skipping.
[[maybe_unused]] const bool g_entered_sandbox = [] {
  const char* want = std::getenv("TOPO_TEST_ROOTLESS");
  if (!want || std::string(want) != "1" || geteuid() == 0) return false;
  if (Status s = sandbox::EnterNew(); !s.ok()) {
    std::fprintf(stderr, "TOPO_TEST_ROOTLESS=1: %s\n", s.message().c_str());
    std::exit(1);
  }
  return true;
}();

// The owner registry of root sysctls (lab/sysctl_owners.h) is machine-wide,
// /run/topo/registry: tests and the `topo` processes they start (which
// inherit the variable) share a private one instead, removed at exit by the
// process that made it.
struct PrivateRegistry {
  std::string dir;
  pid_t owner = getpid();
  PrivateRegistry() {
    if (std::getenv("TOPO_REGISTRY_DIR")) return;
    char tmpl[] = "/tmp/topo-registry-XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir = tmpl;
    setenv("TOPO_REGISTRY_DIR", (dir + "/registry").c_str(), 1);
  }
  ~PrivateRegistry() {
    if (dir.empty() || getpid() != owner) return;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};
PrivateRegistry g_registry;

// In a forked child: adds `env` to the environment and executes argv (PATH looked up).
[[noreturn]] void ExecWith(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env) {
  for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

}  // namespace

pid_t StartProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(null, 1);
    dup2(null, 2);
    ExecWith(argv, env);
  }
  return pid;
}

pid_t StartUntilStopped(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  pid_t pid = StartProcess(argv, env);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid) return -1;
  if (WIFSTOPPED(status)) return pid;
  return -1;
}

std::string SourcePath(const std::string& relative) {
  return std::string(TOPO_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<Topology> ValidateText(const std::string& yaml, DiagnosticList* diags,
                                     const std::string& name) {
  *diags = DiagnosticList(name);
  Document doc;
  std::optional<Topology> t;
  if (LoadText(name, yaml, &doc, diags)) t = Validate(doc, {}, diags);
  diags->Sort();
  if (diags->has_errors()) return std::nullopt;
  return t;
}

std::string Brief(const DiagnosticList& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    out += d.file + ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " +
           (d.severity == Severity::kError ? "error: " : "warning: ") + d.message + "\n";
  }
  return out;
}

bool IsRoot() { return geteuid() == 0; }

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

namespace {

// RunProcess, with standard input from `stdin_fd` when it is not -1.
ProcessResult Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  bool closed_output, int stdin_fd) {
  ProcessResult r;
  int pipefd[2];
  // Close-on-exec: a process another thread starts meanwhile must not hold its end.
  if (pipe2(pipefd, O_CLOEXEC) != 0) return r;
  if (closed_output) close(pipefd[0]), pipefd[0] = -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (closed_output) signal(SIGPIPE, SIG_DFL);
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    close(pipefd[1]);
    ExecWith(argv, env);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while (pipefd[0] >= 0 && (n = read(pipefd[0], buf, sizeof(buf))) > 0)
    r.output.append(buf, static_cast<size_t>(n));
  if (pipefd[0] >= 0) close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         bool closed_output) {
  return Run(argv, env, closed_output, -1);
}

ProcessResult RunProcessWithInput(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env, const std::string& input) {
  // A memory file, not a pipe: the child reads it whenever it likes, and a large input cannot
  // block this process.
  int fd = memfd_create("topo-test-stdin", MFD_CLOEXEC);
  if (fd < 0) return {};
  if (write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
      lseek(fd, 0, SEEK_SET) != 0) {
    close(fd);
    return {};
  }
  ProcessResult r = Run(argv, env, false, fd);
  close(fd);
  return r;
}

std::string TopoBinary() { return TOPO_BINARY; }

std::string UniquePrefixStem() { return "t" + std::to_string(getpid()) + "x"; }

std::string UniquePrefix() {
  static std::atomic<int> counter{0};
  return UniquePrefixStem() + std::to_string(counter++) + "-";
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = SourcePath("tests/golden/" + name);
  if (std::getenv("TOPO_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << actual;
  EXPECT_EQ(actual, ReadFile(path)) << "golden file " << path;
}

void ExpectGoldenPlans(const std::string& stem, const Plan& plan) {
  ExpectGolden(stem + ".plan.txt", FormatPlanText(plan));
  ExpectGolden(stem + ".plan.json", PlanToJson(plan).dump(2) + "\n");
  ExpectGolden(stem + ".up.sh", FormatPlanShell(plan, false));
  ExpectGolden(stem + ".down.sh", FormatPlanShell(plan, true));
}

Plan ShippedPlan(const std::string& path) {
  Document doc;
  DiagnosticList diags(path);
  std::optional<Topology> t = LoadAndValidate(SourcePath(path), {}, &doc, &diags);
  EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
  EXPECT_TRUE(diags.empty()) << FormatDiagnostics(diags, doc.text);
  return t ? Compile(*t, path) : Plan{};
}

void ExpectRollbackCleanAtEveryAction(const Plan& plan) {
  for (size_t at = 0; at < plan.actions.size(); ++at) {
    RecordingBackend b;
    b.FailAt(static_cast<int>(at));
    ApplyResult r = Apply(plan, b);
    ASSERT_FALSE(r.status.ok());
    EXPECT_TRUE(r.rollback.ok()) << "failing at " << at;
    EXPECT_TRUE(b.Empty()) << "failing at " << at;
  }
}

Plan OneNamespacePlan() {
  Plan p;
  p.lab = p.topology = "one";
  p.namespaces = {"a"};
  Action a;
  a.kind = ActionKind::kCreateNamespace;
  a.ns = a.node = "a";
  p.actions.push_back(a);
  return p;
}

}  // namespace topo::testing
