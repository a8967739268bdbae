#include "checks/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "model/diagnostic.h"

namespace topo {
namespace {

std::string Milliseconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f ms", seconds * 1000);
  return buf;
}

std::string SecondsText(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", seconds);
  return buf;
}

// What a failed check says went wrong, in one sentence.
std::string FailureMessage(const CheckSpec& spec, const CheckResult& r) {
  if (spec.expect_success || !r.probe_succeeded) return r.detail;
  return r.detail + ", but the check expects failure";
}

}  // namespace

CheckSummary Summarize(const std::vector<CheckResult>& results, double seconds) {
  CheckSummary s;
  for (const CheckResult& r : results) (r.passed ? s.passed : s.failed)++;
  s.seconds = seconds;
  return s;
}

std::string FormatCheckLine(const CheckSpec& spec, const CheckResult& r) {
  std::string line = r.passed ? "PASS  " : "FAIL  ";
  line += r.name + ": " + (r.passed ? r.detail : FailureMessage(spec, r));
  if (r.passed && !spec.expect_success) line += " (as expected)";
  if (r.attempts > 1) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " (%s after %.1f s, %d attempts)",
                  r.passed ? "passed" : "gave up", r.seconds, r.attempts);
    line += buf;
  } else {
    line += " (" + Milliseconds(r.seconds) + ")";
  }
  // A name from the file cannot start a line of its own or drive the terminal.
  return EscapeForTerminal(line);
}

std::string FormatCheckSummary(const std::string& lab, const CheckSummary& s) {
  const size_t total = s.passed + s.failed;
  return "lab '" + EscapeForTerminal(lab) + "': " + std::to_string(total) + " check" +
         (total == 1 ? "" : "s") + ", " + std::to_string(s.passed) + " passed, " +
         std::to_string(s.failed) + " failed in " + Milliseconds(s.seconds);
}

nlohmann::json CheckResultsToJson(const std::string& lab, const std::vector<CheckSpec>& specs,
                                  const std::vector<CheckResult>& results, double seconds) {
  CheckSummary sum = Summarize(results, seconds);
  nlohmann::json checks = nlohmann::json::array();
  for (size_t i = 0; i < results.size() && i < specs.size(); ++i) {
    const CheckSpec& s = specs[i];
    const CheckResult& r = results[i];
    nlohmann::json j = {{"name", r.name},
                        {"kind", ProbeKindName(s.kind)},
                        {"from", s.from_node},
                        {"to", s.to},
                        {"target", s.target.ToString()},
                        {"expect", s.expect_success ? "success" : "failure"},
                        {"passed", r.passed},
                        {"probe_succeeded", r.probe_succeeded},
                        {"detail", r.detail},
                        {"seconds", r.seconds}};
    if (s.kind != ProbeKind::kPing) j["port"] = s.port;
    if (s.source) j["source"] = s.source->ToString();
    if (s.within_ms > 0) j["attempts"] = r.attempts;
    checks.push_back(std::move(j));
  }
  return {{"lab", lab},
          {"passed", sum.passed},
          {"failed", sum.failed},
          {"seconds", seconds},
          {"checks", std::move(checks)}};
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML 1.0
        out += static_cast<char>(c);
    }
  }
  return out;
}

std::string CheckResultsToJUnit(const std::string& lab, const std::vector<CheckSpec>& specs,
                                const std::vector<CheckResult>& results, double seconds) {
  CheckSummary sum = Summarize(results, seconds);
  const std::string suite = XmlEscape(lab);
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"topo\" tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
       std::to_string(sum.failed) + "\" errors=\"0\" time=\"" + SecondsText(seconds) + "\">\n";
  x += "  <testsuite name=\"" + suite + "\" tests=\"" + std::to_string(results.size()) +
       "\" failures=\"" + std::to_string(sum.failed) + "\" errors=\"0\" skipped=\"0\" time=\"" +
       SecondsText(seconds) + "\">\n";
  for (size_t i = 0; i < results.size() && i < specs.size(); ++i) {
    const CheckResult& r = results[i];
    x += "    <testcase classname=\"topo." + suite + "\" name=\"" + XmlEscape(r.name) +
         "\" time=\"" + SecondsText(r.seconds) + "\"";
    if (r.passed) {
      x += ">\n      <system-out>" + XmlEscape(r.detail) + "</system-out>\n    </testcase>\n";
      continue;
    }
    const std::string message = XmlEscape(FailureMessage(specs[i], r));
    x += ">\n      <failure message=\"" + message + "\" type=\"" +
         (specs[i].expect_success || !r.probe_succeeded ? "check-failed" : "unexpected-success") +
         "\">" + message + "</failure>\n    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace topo
