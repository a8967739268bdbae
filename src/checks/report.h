// Check results (checks.h) as people and CI systems read them: one line per
// check for a terminal, JSON, and JUnit XML (a <testsuite> with one
// <testcase> per check and a <failure> for each that failed), which CI
// systems display. Pure functions: nothing here prints.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checks/checks.h"

namespace topo {

struct CheckSummary {
  size_t passed = 0, failed = 0;
  double seconds = 0;  // wall time of the whole run
};
CheckSummary Summarize(const std::vector<CheckResult>& results, double seconds);

// "PASS  ping server -> 2.2.2.2: reply from 2.2.2.2 (0.3 ms)", or FAIL, with
// "(expected failure)" when a probe got through that should not have.
std::string FormatCheckLine(const CheckSpec& spec, const CheckResult& result);
// "lab 'x': 3 checks, 3 passed, 0 failed in 1.2 ms"
std::string FormatCheckSummary(const std::string& lab, const CheckSummary& summary);

// {"lab": ..., "passed": N, "failed": N, "seconds": S, "checks": [{name, kind,
// from, to, target, expect, passed, probe_succeeded, detail, seconds}, ...]}
nlohmann::json CheckResultsToJson(const std::string& lab, const std::vector<CheckSpec>& specs,
                                  const std::vector<CheckResult>& results, double seconds);

// A JUnit XML document; the suite is named after the lab, test cases after the
// checks (classname "topo.LAB"). Text is escaped for XML.
std::string CheckResultsToJUnit(const std::string& lab, const std::vector<CheckSpec>& specs,
                                const std::vector<CheckResult>& results, double seconds);

// Escapes &, <, >, " and ' and drops bytes XML 1.0 cannot carry (control characters).
std::string XmlEscape(const std::string& text);

}  // namespace topo
