#include "diagnostic.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace topo {

void DiagnosticList::Error(Location loc, std::string pointer, std::string message,
                           std::string hint) {
  Add({Severity::kError, file_, loc, std::move(pointer), std::move(message), std::move(hint)});
}

void DiagnosticList::Warning(Location loc, std::string pointer, std::string message,
                             std::string hint) {
  Add({Severity::kWarning, file_, loc, std::move(pointer), std::move(message), std::move(hint)});
}

void DiagnosticList::Add(Diagnostic d) {
  if (d.file.empty()) d.file = file_;
  // The same problem reported twice (say by the schema and a semantic check) is shown once.
  for (const Diagnostic& e : items_) {
    if (e.loc.line == d.loc.line && e.loc.column == d.loc.column && e.message == d.message) return;
  }
  items_.push_back(std::move(d));
}

void DiagnosticList::Append(const DiagnosticList& other) {
  for (const Diagnostic& d : other.items_) Add(d);
}

size_t DiagnosticList::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t DiagnosticList::warning_count() const { return items_.size() - error_count(); }

void DiagnosticList::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
    if (a.loc.column != b.loc.column) return a.loc.column < b.loc.column;
    return a.message < b.message;
  });
}

static std::string_view SourceLine(std::string_view source, int line) {
  if (line <= 0) return {};
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  if (end == std::string_view::npos) end = source.size();
  std::string_view text = source.substr(start, end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string FormatDiagnostic(const Diagnostic& d, std::string_view source) {
  std::string out = d.file.empty() ? "<input>" : d.file;
  if (d.loc.line > 0) {
    out += ":" + std::to_string(d.loc.line);
    if (d.loc.column > 0) out += ":" + std::to_string(d.loc.column);
  }
  out += d.severity == Severity::kError ? ": error: " : ": warning: ";
  out += d.message;
  out += "\n";
  std::string_view line = SourceLine(source, d.loc.line);
  if (!line.empty() && line.size() < 400) {
    out += "  ";
    out += line;
    out += "\n  ";
    // Keep tabs so the caret lines up under tab-indented text.
    for (int i = 1; i < d.loc.column && static_cast<size_t>(i - 1) < line.size(); ++i) {
      out += line[i - 1] == '\t' ? '\t' : ' ';
    }
    out += "^\n";
  }
  if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  return out;
}

std::string FormatDiagnostics(const DiagnosticList& list, std::string_view source) {
  std::string out;
  for (const Diagnostic& d : list.items()) out += FormatDiagnostic(d, source);
  return out;
}

nlohmann::json DiagnosticsToJson(const DiagnosticList& list) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Diagnostic& d : list.items()) {
    nlohmann::json j;
    j["severity"] = d.severity == Severity::kError ? "error" : "warning";
    j["file"] = d.file;
    j["line"] = d.loc.line;
    j["column"] = d.loc.column;
    j["pointer"] = d.pointer;
    j["message"] = d.message;
    if (!d.hint.empty()) j["hint"] = d.hint;
    arr.push_back(std::move(j));
  }
  return arr;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent
  // transpositions ("rotuer" -> "router") each cost one.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 0;
  size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3 + 1));
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d == 0 || d > limit) continue;
    if (best.empty() || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  return m.empty() ? "" : " (did you mean '" + m + "'?)";
}

}  // namespace topo
