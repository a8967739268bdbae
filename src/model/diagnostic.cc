#include "model/diagnostic.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace topo {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when s[i] does not start one.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = c >= 0xf0 && c <= 0xf4   ? 4
             : c >= 0xe0 && c <= 0xef ? 3
             : c >= 0xc2 && c < 0xe0  ? 2
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  if (n == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;   // overlong
  if (n == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;  // surrogate
  if (n == 4 && c == 0xf0 && b(i + 1) < 0x90) return 0;   // overlong
  if (n == 4 && c == 0xf4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

// Code points a terminal acts on or that reorder text: C1 controls and the
// bidirectional overrides and isolates ("trojan source").
bool IsInvisibleControl(std::string_view seq) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(seq[k]); };
  if (seq.size() == 2) return b(0) == 0xc2 && b(1) < 0xa0;
  if (seq.size() == 3 && b(0) == 0xe2 && b(1) == 0x80) return b(2) >= 0xaa && b(2) <= 0xae;
  if (seq.size() == 3 && b(0) == 0xe2 && b(1) == 0x81) return b(2) >= 0xa6 && b(2) <= 0xa9;
  return false;
}

}  // namespace

std::string EscapeForTerminal(std::string_view text, bool keep_tabs) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '\t' && keep_tabs) {
      out += '\t';
      ++i;
      continue;
    }
    const size_t n = c >= 0x80 ? Utf8Length(text, i) : 0;
    if (n > 0 && !IsInvisibleControl(text.substr(i, n))) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    // One escape per byte: control characters, invalid UTF-8, C1 and bidi controls.
    for (size_t k = 0; k < std::max<size_t>(n, 1); ++k) {
      static constexpr char kHex[] = "0123456789abcdef";
      const unsigned char byte = static_cast<unsigned char>(text[i + k]);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
    i += std::max<size_t>(n, 1);
  }
  return out;
}

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
  d.file = EscapeForTerminal(d.file);
  d.message = EscapeForTerminal(d.message);
  d.hint = EscapeForTerminal(d.hint);
  d.pointer = EscapeForTerminal(d.pointer);
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
    out += EscapeForTerminal(line, /*keep_tabs=*/true);
    out += "\n  ";
    // Keep tabs so the caret lines up under tab-indented text; an escaped byte
    // takes four columns, a UTF-8 character one.
    const size_t before = std::min(line.size(), static_cast<size_t>(std::max(d.loc.column - 1, 0)));
    for (size_t i = 0; i < before;) {
      const size_t step = std::max<size_t>(1, Utf8Length(line, i));
      const std::string shown = EscapeForTerminal(line.substr(i, step), true);
      if (shown == "\t") {
        out += '\t';
      } else {
        out.append(step > 1 && shown.size() == step ? 1 : shown.size(), ' ');
      }
      i += step;
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
  // Close enough to be a slip of the keyboard: at most one edit per three
  // letters of the word (one at least, three at most), and not every letter
  // changed ('isp' is not a misspelt 'sw', nor 'b' a misspelt 'a').
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3));
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d == 0 || d > limit || d >= std::max(word.size(), c.size())) continue;
    if (best.empty() || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string Counted(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  return m.empty() ? "" : " (did you mean '" + m + "'?)";
}

}  // namespace topo
