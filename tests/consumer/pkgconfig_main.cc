// Built by tests/install_test.cmake with nothing but `pkg-config --cflags
// --libs topo`: prints the nodes of the topology file given as argument.
#include <topo/lab.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    for (const std::string& node : topo::Lab::Load(argv[1]).Nodes()) std::cout << node << "\n";
  } catch (const topo::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
