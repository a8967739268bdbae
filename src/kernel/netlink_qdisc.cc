#include "kernel/netlink_qdisc.h"

#include <linux/pkt_sched.h>
#include <netlink/errno.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

namespace topo {

namespace {

constexpr uint32_t kNetemHandle = 0x10000;  // 1: (netem, or a tbf alone)
constexpr uint32_t kNetemClass = 0x10001;   // 1:1
constexpr uint32_t kTbfHandle = 0xa0000;    // 10:

// A qdisc object for `ifindex` with parent and handle set; nullptr when out of memory.
rtnl_qdisc* NewQdisc(int ifindex, uint32_t parent, uint32_t handle, const char* kind) {
  rtnl_qdisc* q = rtnl_qdisc_alloc();
  if (!q) return nullptr;
  rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
  rtnl_tc_set_parent(TC_CAST(q), parent);
  if (handle) rtnl_tc_set_handle(TC_CAST(q), handle);
  if (kind && rtnl_tc_set_kind(TC_CAST(q), kind) < 0) {
    rtnl_qdisc_put(q);
    return nullptr;
  }
  return q;
}

int ToInt(uint32_t v) { return static_cast<int>(v); }  // libnl takes the raw u32 as an int

// The netem qdisc for an impairment (the caller puts it).
rtnl_qdisc* NetemQdisc(int ifindex, const Impairment& i) {
  rtnl_qdisc* q = NewQdisc(ifindex, TC_H_ROOT, kNetemHandle, "netem");
  if (!q) return nullptr;
  if (i.delay_us.value_or(0) > 0) rtnl_netem_set_delay(q, static_cast<int>(*i.delay_us));
  if (i.jitter_us.value_or(0) > 0) rtnl_netem_set_jitter(q, static_cast<int>(*i.jitter_us));
  if (i.loss.value_or(0) > 0) rtnl_netem_set_loss(q, ToInt(NetemProbability(*i.loss)));
  if (i.duplicate.value_or(0) > 0) {
    rtnl_netem_set_duplicate(q, ToInt(NetemProbability(*i.duplicate)));
  }
  if (i.reorder.value_or(0) > 0) {
    rtnl_netem_set_reorder_probability(q, ToInt(NetemProbability(*i.reorder)));
  }
  if (i.corrupt.value_or(0) > 0) {
    rtnl_netem_set_corruption_probability(q, ToInt(NetemProbability(*i.corrupt)));
  }
  return q;
}

// The tbf qdisc for an impairment's rate (the caller puts it); nullptr without a rate.
rtnl_qdisc* TbfQdisc(int ifindex, const Impairment& i, bool under_netem) {
  if (!i.rate_bps) return nullptr;
  rtnl_qdisc* q = under_netem ? NewQdisc(ifindex, kNetemClass, kTbfHandle, "tbf")
                              : NewQdisc(ifindex, TC_H_ROOT, kNetemHandle, "tbf");
  if (!q) return nullptr;
  const TokenBucket b = TokenBucketFor(*i.rate_bps);
  rtnl_qdisc_tbf_set_rate(q, static_cast<int>(b.rate_bytes), static_cast<int>(b.burst_bytes), 0);
  rtnl_qdisc_tbf_set_limit(q, static_cast<int>(b.limit_bytes));
  return q;
}

constexpr int kAddFlags = NLM_F_CREATE | NLM_F_EXCL;

}  // namespace

namespace {

double PercentOf(int raw) {
  return raw <= 0 ? 0.0 : static_cast<double>(static_cast<uint32_t>(raw)) * 100.0 / UINT32_MAX;
}

void ReadNetem(rtnl_qdisc* q, Impairment* out) {
  if (int v = rtnl_netem_get_delay(q); v > 0) out->delay_us = v;
  if (int v = rtnl_netem_get_jitter(q); v > 0) out->jitter_us = v;
  if (int v = rtnl_netem_get_loss(q); v > 0) out->loss = PercentOf(v);
  if (int v = rtnl_netem_get_duplicate(q); v > 0) out->duplicate = PercentOf(v);
  if (int v = rtnl_netem_get_reorder_probability(q); v > 0) out->reorder = PercentOf(v);
  if (int v = rtnl_netem_get_corruption_probability(q); v > 0) out->corrupt = PercentOf(v);
}

void ReadTbf(rtnl_qdisc* q, Impairment* out) {
  if (int v = rtnl_qdisc_tbf_get_rate(q); v > 0) out->rate_bps = static_cast<uint64_t>(v) * 8;
}

}  // namespace

int ReadQdiscs(nl_sock* sk, std::map<int, QdiscReading>* out) {
  nl_cache* cache = nullptr;
  if (int err = rtnl_qdisc_alloc_cache(sk, &cache); err < 0) return err;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* q = reinterpret_cast<rtnl_qdisc*>(o);
    const uint32_t parent = rtnl_tc_get_parent(TC_CAST(q));
    const uint32_t handle = rtnl_tc_get_handle(TC_CAST(q));
    const char* kind_c = rtnl_tc_get_kind(TC_CAST(q));
    const std::string kind = kind_c ? kind_c : "";
    QdiscReading& r = (*out)[rtnl_tc_get_ifindex(TC_CAST(q))];
    if (parent == TC_H_ROOT) {
      r.root_kind = kind;
      if (handle == kNetemHandle && kind == "netem") ReadNetem(q, &r.impairment);
      if (handle == kNetemHandle && kind == "tbf") ReadTbf(q, &r.impairment);
    } else if (parent == kNetemClass && handle == kTbfHandle && kind == "tbf") {
      ReadTbf(q, &r.impairment);
    }
  }
  nl_cache_free(cache);
  return 0;
}

int DeleteRootQdisc(nl_sock* sk, int ifindex) {
  rtnl_qdisc* q = NewQdisc(ifindex, TC_H_ROOT, 0, nullptr);
  if (!q) return -NLE_NOMEM;
  int err = rtnl_qdisc_delete(sk, q);
  rtnl_qdisc_put(q);
  return err;
}

int AddNetemRoot(nl_sock* sk, int ifindex, const Impairment& i) {
  rtnl_qdisc* q = NetemQdisc(ifindex, i);
  if (!q) return -NLE_NOMEM;
  int err = rtnl_qdisc_add(sk, q, kAddFlags);
  rtnl_qdisc_put(q);
  return err;
}

int AddTbf(nl_sock* sk, int ifindex, const Impairment& i, bool under_netem) {
  if (!i.rate_bps) return 0;
  rtnl_qdisc* q = TbfQdisc(ifindex, i, under_netem);
  if (!q) return -NLE_NOMEM;
  int err = rtnl_qdisc_add(sk, q, kAddFlags);
  rtnl_qdisc_put(q);
  return err;
}

int BuildNetemRequest(int ifindex, const Impairment& i, nl_msg** out) {
  rtnl_qdisc* q = NetemQdisc(ifindex, i);
  if (!q) return -NLE_NOMEM;
  int err = rtnl_qdisc_build_add_request(q, kAddFlags, out);
  rtnl_qdisc_put(q);
  return err;
}

int BuildTbfRequest(int ifindex, const Impairment& i, bool under_netem, nl_msg** out) {
  rtnl_qdisc* q = TbfQdisc(ifindex, i, under_netem);
  if (!q) return -NLE_MISSING_ATTR;
  int err = rtnl_qdisc_build_add_request(q, kAddFlags, out);
  rtnl_qdisc_put(q);
  return err;
}

}  // namespace topo
