// nftables tables over nfnetlink, in process, for one purpose: iptables-nft
// creates the `nat` table (with its base chains) the first time a rule goes
// into it, and deleting the rule leaves the empty table behind, visible in
// `iptables-save`. When topo created the table in the root namespace, it
// removes it again, but only if it is empty: the chains and the table are
// deleted in one nfnetlink transaction with NLM_F_NONREC, which the kernel
// refuses (and then changes nothing) when a chain still has a rule or the
// table still holds anything else (such as a chain iptables did not make).
//
// Both functions work in the calling thread's network namespace.
#pragma once

#include <string>

#include "model/status.h"

namespace topo {

// Whether the table exists; `family` is 4 (ip, iptables) or 6 (ip6, ip6tables).
Status NftTableExists(int family, const std::string& table, bool* exists);

// Deletes the table and its chains if none holds anything; *removed says
// whether it did. Not removing a table that is in use, or that is gone, is OK.
Status NftRemoveTableIfEmpty(int family, const std::string& table, bool* removed);

}  // namespace topo
