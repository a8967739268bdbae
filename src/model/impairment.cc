#include "model/impairment.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace topo {

namespace {

bool IsTime(const std::string& key) { return key == "delay" || key == "jitter"; }
bool IsPercent(const std::string& key) {
  return key == "loss" || key == "duplicate" || key == "reorder" || key == "corrupt";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "1.5ms" into 1.5 and "ms". False when the text does not start with a
// plain decimal number (digits, at most one '.', digits).
bool SplitNumber(std::string_view text, double* number, std::string* unit) {
  size_t i = 0, digits = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  *number = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
  *unit = std::string(text.substr(i));
  while (!unit->empty() && unit->front() == ' ') unit->erase(unit->begin());
  return true;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

constexpr const char* kTimeHint = "write a number and a unit: 250us, 10ms or 1.5s";
constexpr const char* kRateHint =
    "write a number and a unit: 500kbit, 100mbit or 1gbit (bits per second), or 10mbps (bytes "
    "per second, as tc reads it)";

std::optional<ValueError> ParseTime(const std::string& key, const std::string& text, int64_t* out) {
  if (!text.empty() && text[0] == '-') return ValueError{key + " " + text + " is negative", ""};
  double n = 0;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) {
    return ValueError{key + " '" + text + "' is not a time", kTimeHint};
  }
  if (unit.empty()) {
    return ValueError{key + " " + text + " has no unit",
                      "write " + text + "ms, " + text + "us or " + text + "s (units: us, ms, s)"};
  }
  double scale = 0;
  const std::string u = Lower(unit);
  if (u == "us" || u == "usec") scale = 1;
  if (u == "ms" || u == "msec") scale = 1e3;
  if (u == "s" || u == "sec") scale = 1e6;
  if (scale == 0) {
    return ValueError{key + " '" + text + "' has an unknown unit '" + unit + "'",
                      "units: us, ms, s"};
  }
  double us = n * scale;
  if (us > static_cast<double>(kMaxDelayUs)) {
    return ValueError{key + " " + text + " is more than " + FormatDuration(kMaxDelayUs),
                      "netem delays are at most " + FormatDuration(kMaxDelayUs) + " here"};
  }
  if (std::fabs(us - std::round(us)) > 1e-6) {
    return ValueError{key + " " + text + " is finer than a microsecond",
                      "netem counts time in microseconds"};
  }
  *out = static_cast<int64_t>(std::llround(us));
  return std::nullopt;
}

std::optional<ValueError> ParsePercent(const std::string& key, const std::string& text,
                                       double* out) {
  if (!text.empty() && text[0] == '-') return ValueError{key + " " + text + " is negative", ""};
  double n = 0;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) {
    return ValueError{key + " '" + text + "' is not a percentage", "write e.g. 1.5%"};
  }
  if (unit.empty()) {
    return ValueError{key + " " + text + " has no '%'",
                      "write it as a percentage: " + text + "% (or " +
                          FormatPercent(std::min(100.0, n * 100)) + " if you meant a fraction)"};
  }
  if (unit != "%") {
    return ValueError{key + " '" + text + "' is not a percentage", "write e.g. 1.5%"};
  }
  if (n > 100) {
    return ValueError{key + " " + text + " is more than 100%", "percentages go from 0% to 100%"};
  }
  *out = n;
  return std::nullopt;
}

std::optional<ValueError> ParseRate(const std::string& key, const std::string& text,
                                    uint64_t* out) {
  double n = 0;
  std::string unit;
  if (!SplitNumber(text, &n, &unit)) {
    return ValueError{key + " '" + text + "' is not a rate", kRateHint};
  }
  if (unit.empty()) return ValueError{key + " " + text + " has no unit", kRateHint};
  // As tc reads them: *bit are bits per second, *bps bytes per second; k, m, g are powers of 1000.
  struct Unit {
    const char* name;
    double bits;
  };
  constexpr Unit kUnits[] = {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9},
                             {"bps", 8}, {"kbps", 8e3}, {"mbps", 8e6}, {"gbps", 8e9}};
  double scale = 0;
  const std::string u = Lower(unit);
  for (const Unit& k : kUnits) {
    if (u == k.name) scale = k.bits;
  }
  if (scale == 0) {
    return ValueError{key + " '" + text + "' has an unknown unit '" + unit + "'", kRateHint};
  }
  double bps = std::round(n * scale);
  if (bps < static_cast<double>(kMinRateBps)) {
    return ValueError{
        key + " " + text + " is less than " + FormatRate(kMinRateBps),
        "rates go from " + FormatRate(kMinRateBps) + " to " + FormatRate(kMaxRateBps)};
  }
  if (bps > static_cast<double>(kMaxRateBps)) {
    return ValueError{
        key + " " + text + " is more than " + FormatRate(kMaxRateBps),
        "rates go from " + FormatRate(kMinRateBps) + " to " + FormatRate(kMaxRateBps)};
  }
  *out = static_cast<uint64_t>(bps);
  return std::nullopt;
}

}  // namespace

bool Impairment::IsNone() const {
  auto zero = [](const auto& v) { return !v || *v == 0; };
  return zero(delay_us) && zero(jitter_us) && zero(loss) && zero(duplicate) && zero(reorder) &&
         zero(corrupt) && !rate_bps;
}

bool Impairment::NeedsNetem() const {
  Impairment netem_part = *this;
  netem_part.rate_bps.reset();
  return !netem_part.IsNone();
}

Impairment Impairment::Merged(const Impairment& over) const {
  Impairment m = *this;
  if (over.delay_us) m.delay_us = over.delay_us;
  if (over.jitter_us) m.jitter_us = over.jitter_us;
  if (over.loss) m.loss = over.loss;
  if (over.duplicate) m.duplicate = over.duplicate;
  if (over.reorder) m.reorder = over.reorder;
  if (over.corrupt) m.corrupt = over.corrupt;
  if (over.rate_bps) m.rate_bps = over.rate_bps;
  return m;
}

std::string Impairment::ToString() const {
  std::string s;
  auto add = [&](const char* key, const std::string& value) {
    s += (s.empty() ? "" : " ") + std::string(key) + " " + value;
  };
  if (delay_us && *delay_us) add("delay", FormatDuration(*delay_us));
  if (jitter_us && *jitter_us) add("jitter", FormatDuration(*jitter_us));
  if (loss && *loss) add("loss", FormatPercent(*loss));
  if (duplicate && *duplicate) add("duplicate", FormatPercent(*duplicate));
  if (reorder && *reorder) add("reorder", FormatPercent(*reorder));
  if (corrupt && *corrupt) add("corrupt", FormatPercent(*corrupt));
  if (rate_bps) add("rate", FormatRate(*rate_bps));
  return s.empty() ? "none" : s;
}

std::optional<ValueError> ParseImpairmentValue(const std::string& key, std::string_view raw,
                                               Impairment* out) {
  const std::string text = Trimmed(raw);
  if (IsTime(key)) {
    int64_t us = 0;
    if (auto e = ParseTime(key, text, &us)) return e;
    (key == "delay" ? out->delay_us : out->jitter_us) = us;
    return std::nullopt;
  }
  if (IsPercent(key)) {
    double p = 0;
    if (auto e = ParsePercent(key, text, &p)) return e;
    if (key == "loss") out->loss = p;
    if (key == "duplicate") out->duplicate = p;
    if (key == "reorder") out->reorder = p;
    if (key == "corrupt") out->corrupt = p;
    return std::nullopt;
  }
  if (key == "rate") {
    uint64_t bps = 0;
    if (auto e = ParseRate(key, text, &bps)) return e;
    out->rate_bps = bps;
    return std::nullopt;
  }
  return ValueError{"unknown impairment '" + key + "'",
                    "impairments are delay, jitter, loss, duplicate, reorder, corrupt and rate"};
}

std::string FormatDuration(int64_t us) {
  if (us != 0 && us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  if (us != 0 && us % 1'000 == 0) return std::to_string(us / 1'000) + "ms";
  return std::to_string(us) + "us";
}

std::string FormatPercent(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g%%", percent);
  return buf;
}

std::string FormatRate(uint64_t bps) {
  if (bps != 0 && bps % 1'000'000'000 == 0) return std::to_string(bps / 1'000'000'000) + "gbit";
  if (bps != 0 && bps % 1'000'000 == 0) return std::to_string(bps / 1'000'000) + "mbit";
  if (bps != 0 && bps % 1'000 == 0) return std::to_string(bps / 1'000) + "kbit";
  return std::to_string(bps) + "bit";
}

std::vector<ImpairmentProblem> ImpairmentProblems(const Impairment& i) {
  std::vector<ImpairmentProblem> out;
  const int64_t delay = i.delay_us.value_or(0);
  const int64_t jitter = i.jitter_us.value_or(0);
  if (jitter > 0 && delay == 0) {
    out.push_back({"jitter", "jitter " + FormatDuration(jitter) + " needs a delay",
                   "netem varies the delay by the jitter: add one, e.g. delay: " +
                       FormatDuration(std::max<int64_t>(jitter * 2, 1000))});
  } else if (jitter > delay) {
    out.push_back(
        {"jitter",
         "jitter " + FormatDuration(jitter) + " is larger than the delay " + FormatDuration(delay),
         "packets whose delay would be negative go at once, ahead of others; make the "
         "jitter at most the delay",
         true});
  }
  if (i.reorder.value_or(0) > 0 && delay == 0) {
    out.push_back({"reorder", "reorder " + FormatPercent(*i.reorder) + " needs a delay",
                   "netem reorders by sending some packets at once while the others wait for "
                   "the delay: add one, e.g. delay: 10ms"});
  }
  return out;
}

nlohmann::json ImpairmentToJson(const Impairment& i) {
  nlohmann::json j = nlohmann::json::object();
  if (i.delay_us) j["delay"] = FormatDuration(*i.delay_us);
  if (i.jitter_us) j["jitter"] = FormatDuration(*i.jitter_us);
  if (i.loss) j["loss"] = FormatPercent(*i.loss);
  if (i.duplicate) j["duplicate"] = FormatPercent(*i.duplicate);
  if (i.reorder) j["reorder"] = FormatPercent(*i.reorder);
  if (i.corrupt) j["corrupt"] = FormatPercent(*i.corrupt);
  if (i.rate_bps) j["rate"] = FormatRate(*i.rate_bps);
  return j;
}

Status ImpairmentFromJson(const nlohmann::json& j, Impairment* out) {
  if (!j.is_object()) return Status::InvalidArgument("malformed impairment: not an object");
  Impairment i;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) return Status::InvalidArgument("malformed impairment: " + key);
    if (auto e = ParseImpairmentValue(key, value.get<std::string>(), &i)) {
      return Status::InvalidArgument("malformed impairment: " + e->message);
    }
  }
  *out = i;
  return Status::OK();
}

uint32_t NetemProbability(double percent) {
  double p = std::round(percent / 100.0 * 4294967295.0);
  if (p <= 0) return 0;
  if (p >= 4294967295.0) return 4294967295u;
  return static_cast<uint32_t>(p);
}

TokenBucket TokenBucketFor(uint64_t bps) {
  TokenBucket b;
  b.rate_bytes = std::max<uint64_t>(bps / 8, 1);
  b.burst_bytes = std::max<uint64_t>(b.rate_bytes / 100, uint64_t{32} * 1024);
  b.limit_bytes = b.burst_bytes + b.rate_bytes / 20;
  return b;
}

std::vector<std::string> ImpairmentTcCommands(const std::string& prefix, const Impairment& i) {
  std::vector<std::string> out;
  std::string tbf;
  if (i.rate_bps) {
    TokenBucket b = TokenBucketFor(*i.rate_bps);
    tbf = " tbf rate " + FormatRate(*i.rate_bps) + " burst " + std::to_string(b.burst_bytes) +
          " limit " + std::to_string(b.limit_bytes);
  }
  if (!i.NeedsNetem()) {
    if (!tbf.empty()) out.push_back(prefix + " root handle 1:" + tbf);
    return out;
  }
  std::string netem = prefix + " root handle 1: netem";
  if (i.delay_us && *i.delay_us) {
    netem += " delay " + FormatDuration(*i.delay_us);
    if (i.jitter_us && *i.jitter_us) netem += " " + FormatDuration(*i.jitter_us);
  }
  if (i.loss && *i.loss) netem += " loss " + FormatPercent(*i.loss);
  if (i.duplicate && *i.duplicate) netem += " duplicate " + FormatPercent(*i.duplicate);
  if (i.reorder && *i.reorder) netem += " reorder " + FormatPercent(*i.reorder);
  if (i.corrupt && *i.corrupt) netem += " corrupt " + FormatPercent(*i.corrupt);
  out.push_back(netem);
  if (!tbf.empty()) out.push_back(prefix + " parent 1:1 handle 10:" + tbf);
  return out;
}

namespace {

// Within `rel` of each other (and `abs`, for values near zero).
bool Near(double a, double b, double rel, double abs) {
  double d = a > b ? a - b : b - a;
  return d <= abs || d <= rel * (a > b ? a : b);
}

template <typename T>
bool NearOpt(const std::optional<T>& planned, const std::optional<T>& read, double rel,
             double abs) {
  double p = planned ? static_cast<double>(*planned) : 0.0;
  double r = read ? static_cast<double>(*read) : 0.0;
  return Near(p, r, rel, abs);
}

}  // namespace

bool ImpairmentsMatch(const Impairment& planned, const Impairment& read) {
  // Delays go through the kernel's clock ticks; probabilities through a u32
  // scale; rates through the token bucket's byte rate.
  return NearOpt(planned.delay_us, read.delay_us, 0.01, 2) &&
         NearOpt(planned.jitter_us, read.jitter_us, 0.01, 2) &&
         NearOpt(planned.loss, read.loss, 0.0, 0.001) &&
         NearOpt(planned.duplicate, read.duplicate, 0.0, 0.001) &&
         NearOpt(planned.reorder, read.reorder, 0.0, 0.001) &&
         NearOpt(planned.corrupt, read.corrupt, 0.0, 0.001) &&
         NearOpt(planned.rate_bps, read.rate_bps, 0.01, 8);
}

}  // namespace topo
