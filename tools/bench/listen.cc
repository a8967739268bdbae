// topo-bench-listen PORT: listens on TCP PORT (IPv4, any address) and then
// waits for a signal (SIGTERM, as `topo down` sends, ends it). The program that
// topo-bench's `programs` mode starts in every host of a star: a few syscalls
// and no interpreter, so that what the benchmark measures is topo starting
// programs and waiting for their ports, not the programs' own start-up.
// Connections are queued and never accepted: readiness only needs the socket
// in LISTEN state. Exit status 2 on a bad argument, 1 when the port is taken.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

int main(int argc, char** argv) {
  char* end = nullptr;
  long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
  if (argc != 2 || *end != '\0' || port < 1 || port > 65535) return 2;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 16) != 0) {
    return 1;
  }
  for (;;) pause();
}
