// topo_test_orphan: a stand-in for a program topo runs itself (iptables-restore)
// that outlives a killed topo, as one already committing a rule when its
// parent died does. topo runs it through TOPO_TEST_WRAP_PROGRAMS
// (cli/test_hooks.h) as `topo_test_orphan PROGRAM ARGS...`.
//
// Without TOPO_TEST_ORPHAN_MARK it just runs PROGRAM ARGS. With it: it clears
// its parent-death signal (so topo's death does not end it), reads all of its
// standard input (everything topo had to say), writes its pid into the file
// TOPO_TEST_ORPHAN_MARK (through a rename), waits until its parent has died
// (at most 60 s), sleeps TOPO_TEST_ORPHAN_DELAY_MS milliseconds, and only then
// runs PROGRAM ARGS with that input: whatever PROGRAM does happens after topo
// died. The pid stays the same throughout (it execs PROGRAM).
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 2) return 127;
  const char* mark = std::getenv("TOPO_TEST_ORPHAN_MARK");
  if (mark && *mark) {
    prctl(PR_SET_PDEATHSIG, 0);
    const pid_t parent = getppid();
    std::string input;
    char buf[4096];
    for (ssize_t n; (n = read(0, buf, sizeof(buf))) != 0;) {
      if (n > 0) input.append(buf, static_cast<size_t>(n));
      if (n < 0) break;
    }
    const std::string tmp = std::string(mark) + ".tmp";
    if (FILE* f = std::fopen(tmp.c_str(), "w")) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
      std::rename(tmp.c_str(), mark);
    }
    for (int i = 0; i < 6000 && getppid() == parent; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const char* delay = std::getenv("TOPO_TEST_ORPHAN_DELAY_MS");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay ? std::atoi(delay) : 0));
    // The input again, from a pipe (it is small: iptables-restore input).
    int fds[2];
    if (pipe(fds) != 0) return 127;
    if (write(fds[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) return 127;
    close(fds[1]);
    dup2(fds[0], 0);
    close(fds[0]);
  }
  execv(argv[1], argv + 1);
  return 127;
}
