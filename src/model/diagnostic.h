// Diagnostics are values: every problem found in a topology file, with its
// severity, place (file:line:col and JSON pointer), message and an optional hint.
// Stages append to a DiagnosticList and never stop at the first problem; the
// command-line layer renders the list for people (source line and caret) or as JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace topo {

// A place in a source file. Lines and columns are 1-based; 0 means unknown.
struct Location {
  int line = 0;
  int column = 0;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  Location loc;
  std::string pointer;  // JSON pointer into the document, e.g. "/nodes/server/routes/0".
  std::string
      message;       // lower case, names quoted: "unknown node 'rotuer' (did you mean 'router'?)"
  std::string hint;  // optional: what to do about it.
};

class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file = "") : file_(std::move(file)) {}

  void Error(Location loc, std::string pointer, std::string message, std::string hint = "");
  void Warning(Location loc, std::string pointer, std::string message, std::string hint = "");
  void Add(Diagnostic d);
  void Append(const DiagnosticList& other);

  const std::string& file() const { return file_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t error_count() const;
  size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Orders by line, then column, then message, so output is stable.
  void Sort();

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

// `text` with every byte a terminal would act on written as \xNN: control
// characters (tabs kept when asked), invalid UTF-8, C1 controls and the
// bidirectional overrides. Valid printable UTF-8 is kept. Every diagnostic's
// file, message and hint pass through it, so hostile names can neither drive
// the terminal nor break JSON output.
std::string EscapeForTerminal(std::string_view text, bool keep_tabs = false);

// "file:line:col: error: message", the source line, a caret under the column,
// and "  hint: ..." when there is one. `source` is the whole file's text.
std::string FormatDiagnostic(const Diagnostic& d, std::string_view source);
std::string FormatDiagnostics(const DiagnosticList& list, std::string_view source);
nlohmann::json DiagnosticsToJson(const DiagnosticList& list);

// Levenshtein distance (a swap of neighbours counts one), and the closest
// candidate within a small distance ("" if none): at most one edit per three
// letters of `word` (at least one, at most three), never every letter.
size_t EditDistance(std::string_view a, std::string_view b);
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// "1 namespace", "2 namespaces": a count and its noun (plural with an s).
std::string Counted(size_t n, std::string_view noun);
// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace topo
