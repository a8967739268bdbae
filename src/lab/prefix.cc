#include "lab/prefix.h"

#include <dirent.h>

#include <random>

namespace topo {

bool IsAutoPrefix(const std::optional<std::string>& prefix) {
  return prefix && *prefix == kAutoPrefix;
}

std::string RandomPrefix() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string p = "t";
  for (int i = 0; i < 4; ++i) p += kAlphabet[pick(rd)];
  return p + "-";
}

bool PrefixIsFree(const std::string& prefix, const StateStore& store,
                  const std::string& netns_dir) {
  for (const std::string& lab : store.ListLabs()) {
    if (lab.rfind(prefix, 0) == 0) return false;
  }
  DIR* d = ::opendir(netns_dir.c_str());
  if (!d) return true;  // no namespaces at all
  bool free = true;
  while (struct dirent* e = ::readdir(d)) {
    if (std::string(e->d_name).rfind(prefix, 0) == 0) {
      free = false;
      break;
    }
  }
  ::closedir(d);
  return free;
}

std::string PickPrefix(const StateStore& store, const std::string& netns_dir) {
  std::string p;
  for (int attempt = 0; attempt < 16; ++attempt) {
    p = RandomPrefix();
    if (PrefixIsFree(p, store, netns_dir)) break;
  }
  return p;
}

}  // namespace topo
