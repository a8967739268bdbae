// NameIndex: finds an element of a std::vector by its `name` member in
// constant time, for the lookups a big lab makes once per link, route or
// check (a star of 10000 hosts asks its router for each of 10000 interfaces;
// a scan made validating star 10000 quadratic).
//
// Contract:
//  - Between lookups the vector is only appended to: elements past the
//    indexed count are indexed on the next lookup (a shorter vector is
//    indexed again from scratch). An element must not be renamed, removed
//    or replaced in place after a lookup: a later lookup of its new name
//    could miss it. Topology and Node are built by appending and never
//    rename (model/topology.h).
//  - A hit is confirmed by comparing the name (on a mismatch the index is
//    built again), so a lookup never returns an element of another name. The first element of a
//    name wins, as a scan would find it. Short vectors are scanned.
//  - A copy or a move of the owner starts with an empty index.
//  - Lookups from several threads at once are safe (a mutex guards the
//    index); changing the vector while another thread looks up is not.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace topo {

class NameIndex {
 public:
  NameIndex() = default;
  NameIndex(const NameIndex& /*other*/) {}
  NameIndex& operator=(const NameIndex& other) {
    if (this != &other) Reset();
    return *this;
  }
  NameIndex(NameIndex&& /*other*/) noexcept {}
  NameIndex& operator=(NameIndex&& /*other*/) noexcept {
    Reset();
    return *this;
  }
  ~NameIndex() = default;

  // The first element of `v` named `name`, or null. `v` must be the same
  // vector at every call (its owner's member).
  template <typename T>
  const T* Find(const std::vector<T>& v, const std::string& name) const {
    if (v.size() <= kScan) {
      for (const T& e : v)
        if (e.name == name) return &e;
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (v.size() < indexed_) {
      at_.clear();
      indexed_ = 0;
    }
    for (; indexed_ < v.size(); ++indexed_) at_.emplace(v[indexed_].name, indexed_);
    auto it = at_.find(name);
    if (it == at_.end()) return nullptr;
    if (it->second < v.size() && v[it->second].name == name) return &v[it->second];
    at_.clear();  // stale: the contract was broken; index again and look once more
    for (indexed_ = 0; indexed_ < v.size(); ++indexed_) at_.emplace(v[indexed_].name, indexed_);
    it = at_.find(name);
    return it == at_.end() ? nullptr : &v[it->second];
  }

 private:
  static constexpr size_t kScan = 8;
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    at_.clear();
    indexed_ = 0;
  }
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, size_t> at_;
  mutable size_t indexed_ = 0;
};

}  // namespace topo
