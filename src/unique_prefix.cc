#include "unique_prefix.h"

#include <sys/stat.h>

#include <random>

namespace topo {

namespace {

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsFree(const std::string& prefix, const Topology& t, const StateStore& store,
            const std::string& netns_dir) {
  if (store.LabExists(prefix + t.name)) return false;
  for (const Node& n : t.nodes) {
    if (PathExists(netns_dir + "/" + prefix + n.name)) return false;
  }
  return true;
}

}  // namespace

std::string PickUniquePrefix(const Topology& topology, const StateStore& store,
                             const std::string& netns_dir) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device seed;
  std::mt19937 gen(seed());
  std::uniform_int_distribution<size_t> pick(0, sizeof(kChars) - 2);
  std::string prefix;
  // 36^4 candidates: a free one turns up at once on any machine that is not
  // running a million labs; the bound only guarantees termination.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    prefix = "t";
    for (int i = 0; i < 4; ++i) prefix += kChars[pick(gen)];
    prefix += "-";
    if (IsFree(prefix, topology, store, netns_dir)) break;
  }
  return prefix;
}

}  // namespace topo
