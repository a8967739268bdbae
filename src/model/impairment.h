// Link impairments: what netem (delay, jitter, loss, duplicate, reorder,
// corrupt) and a token bucket (rate) do to the packets leaving one interface.
// This module holds the value type, the parsers for the units people write
// (`10ms`, `1.5%`, `100mbit`) with lower-case error messages, the canonical
// formatting used in plans and `topo status`, the JSON form kept in plans and
// journals, the rules that relate the values to each other, and the numbers
// the kernel is given (netem probabilities, token bucket sizes).
//
// Everything here is a pure function of its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/status.h"

namespace topo {

// The impairment of one interface's egress. An unset field means "none"; a
// field set to 0 means the same, but overrides a value it is merged over.
struct Impairment {
  std::optional<int64_t> delay_us, jitter_us;               // microseconds
  std::optional<double> loss, duplicate, reorder, corrupt;  // percent, 0-100
  std::optional<uint64_t> rate_bps;                         // bits per second

  // True when nothing would be done to packets (every field unset or zero).
  bool IsNone() const;
  // True when netem is needed: anything but a rate is set (and not zero).
  bool NeedsNetem() const;
  // These values, with every field `over` sets replacing this one's.
  Impairment Merged(const Impairment& over) const;
  // "delay 10ms jitter 2ms loss 1.5% rate 100mbit", in that key order; "none".
  std::string ToString() const;
  bool operator==(const Impairment&) const = default;
};

// The keys of an impairment, as written in topologies and on the command line.
inline constexpr const char* kImpairmentKeys[] = {"delay",   "jitter",  "loss", "duplicate",
                                                  "reorder", "corrupt", "rate"};

// Limits, documented in docs/format.md.
inline constexpr int64_t kMaxDelayUs = 60'000'000;       // 60s
inline constexpr uint64_t kMinRateBps = 8'000;           // 8kbit
inline constexpr uint64_t kMaxRateBps = 10'000'000'000;  // 10gbit

// Parses one value for `key` ("delay", "loss", "rate" ...) into *out. On
// failure returns the message and hint of a diagnostic ("loss 150% is more
// than 100%", "percentages go from 0% to 100%").
// Whether an impairment read back from the kernel (Backend::Inspect) is
// `planned`, within the rounding of the kernel's units: delays go through
// clock ticks, probabilities through a u32 scale, rates through a token
// bucket's byte rate.
bool ImpairmentsMatch(const Impairment& planned, const Impairment& read);

struct ValueError {
  std::string message, hint;
};
std::optional<ValueError> ParseImpairmentValue(const std::string& key, std::string_view raw,
                                               Impairment* out);

// Times: "250us", "10ms", "1.5s". Percentages: "1.5%". Rates: "100mbit".
std::string FormatDuration(int64_t us);
std::string FormatPercent(double percent);
std::string FormatRate(uint64_t bps);  // bits per second

// A problem in how the values relate ("jitter 5ms needs a delay"), naming
// the key it is about.
struct ImpairmentProblem {
  std::string key;
  std::string message, hint;
  bool warning = false;
};
std::vector<ImpairmentProblem> ImpairmentProblems(const Impairment& impairment);

nlohmann::json ImpairmentToJson(const Impairment& impairment);
Status ImpairmentFromJson(const nlohmann::json& j, Impairment* out);

// What the kernel is given.
// A percentage as netem's probability: 0 (never) to UINT32_MAX (always).
uint32_t NetemProbability(double percent);
// The token bucket that enforces a rate: its rate in bytes per second, its
// burst (the larger of 10 ms of traffic and 32 KiB) and its queue limit (the
// burst plus 50 ms of traffic), both in bytes.
struct TokenBucket {
  uint64_t rate_bytes = 0;
  uint64_t burst_bytes = 0;
  uint64_t limit_bytes = 0;
};
TokenBucket TokenBucketFor(uint64_t bps);  // bits per second

// The `tc` commands equivalent to an impairment, for the shell form of plans
// (PREFIX is "tc -n NS qdisc replace dev IF"): netem as the root qdisc
// ("netem delay 10ms 2ms loss 1.5%") with, for a rate, a tbf beneath it; or,
// for a rate alone, a tbf as the root qdisc.
std::vector<std::string> ImpairmentTcCommands(const std::string& prefix,
                                              const Impairment& impairment);

}  // namespace topo
