// The queueing disciplines that impair a link end, through libnl's qdisc API
// (never `tc`): netem as the interface's root qdisc (handle 1:) for delay,
// jitter, loss, duplicate, reorder and corrupt, and for a rate a tbf beneath
// it (parent 1:1, handle 10:), since libnl 3.7 cannot set netem's own rate. A
// rate alone is a tbf as the root qdisc (handle 1:): no netem is needed, so
// it works on kernels built without sch_netem.
//
// Each function sends one request on a NETLINK_ROUTE socket that belongs to
// the interface's namespace and returns libnl's result (0, or a negative NLE_
// code; the socket's error callback sees the kernel's errno). Used by
// NetlinkBackend, which turns results into Status values.
#pragma once

#include <map>
#include <string>

#include "model/impairment.h"

struct nl_msg;
struct nl_sock;

namespace topo {

// Deletes the interface's root qdisc; the kernel then gives it its default.
int DeleteRootQdisc(nl_sock* sk, int ifindex);
// Adds netem with the impairment's netem values as the root qdisc (1:).
int AddNetemRoot(nl_sock* sk, int ifindex, const Impairment& impairment);
// Adds a tbf enforcing the impairment's rate: beneath netem (parent 1:1,
// handle 10:) when `under_netem`, else as the root qdisc (1:). 0 without a rate.
int AddTbf(nl_sock* sk, int ifindex, const Impairment& impairment, bool under_netem);

// What the qdiscs of one interface are: the root qdisc's kind, and what the
// qdiscs topo makes (netem at 1:, tbf at 1: or beneath netem at 10:) do,
// converted back from the kernel's units (probabilities and token-bucket
// rates round, so compare with ImpairmentsMatch, model/impairment.h).
struct QdiscReading {
  std::string root_kind;
  Impairment impairment;
};
// Dumps the qdiscs of the socket's namespace into *out, by interface index.
int ReadQdiscs(nl_sock* sk, std::map<int, QdiscReading>* out);

// The RTM_NEWQDISC requests the two functions above send, for tests that read
// them back without a kernel. The caller frees *out with nlmsg_free.
int BuildNetemRequest(int ifindex, const Impairment& impairment, nl_msg** out);
int BuildTbfRequest(int ifindex, const Impairment& impairment, bool under_netem, nl_msg** out);

}  // namespace topo
