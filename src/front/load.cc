#include "front/load.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>
#include <vector>

#include <yaml-cpp/eventhandler.h>

namespace topo {

Location LocationOf(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::string PointerJoin(const std::string& base, const std::string& token) {
  std::string out = base + "/";
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// Walks the parser's event stream (independently of the tree yaml-cpp builds) to
// find what the tree hides: duplicate keys, excessive nesting, alias bombs.
class Inspector : public YAML::EventHandler {
 public:
  Inspector(DiagnosticList* diags, const LoadLimits& limits) : diags_(diags), limits_(limits) {}

  bool fatal() const { return fatal_; }

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor, "~"); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchor_sizes_.find(anchor);
    size_t size = it == anchor_sizes_.end() ? 1 : it->second;
    AddNodes(mark, size);
    KeyOrValue(mark, "*alias" + std::to_string(anchor));
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    Leaf(mark, anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, true);
  }
  void OnMapEnd() override { Close(); }

  int documents() const { return documents_; }

 private:
  struct Frame {
    bool is_map;
    YAML::anchor_t anchor;
    size_t nodes_at_start;
    bool expecting_key = true;
    std::string pointer;
    std::string pending_key;
    std::set<std::string> keys;
    size_t index = 0;
  };

  void AddNodes(const YAML::Mark& mark, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes && !fatal_) {
      fatal_ = true;
      diags_->Error({mark.line + 1, mark.column + 1}, "",
                    "document expands to more than " + std::to_string(limits_.max_nodes) + " nodes",
                    "this usually means nested aliases (a 'billion laughs' document); "
                    "TOPO_MAX_YAML_NODES raises the limit");
    }
  }

  // A scalar, null or alias appears: as a key, or as a value.
  void KeyOrValue(const YAML::Mark& mark, const std::string& text) {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (!f.is_map) {
      ++f.index;
      return;
    }
    if (f.expecting_key) {
      if (!f.keys.insert(text).second) {
        diags_->Error({mark.line + 1, mark.column + 1}, PointerJoin(f.pointer, text),
                      "duplicate key '" + text + "'",
                      "each key may appear once in a mapping; yaml would silently keep only one");
      }
      f.pending_key = text;
    }
    f.expecting_key = !f.expecting_key;
  }

  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& text) {
    AddNodes(mark, 1);
    if (anchor) anchor_sizes_[anchor] = 1;
    KeyOrValue(mark, text);
  }

  std::string ChildPointer() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    return f.is_map ? PointerJoin(f.pointer, f.pending_key)
                    : PointerJoin(f.pointer, std::to_string(f.index));
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    AddNodes(mark, 1);
    if (static_cast<int>(stack_.size()) >= limits_.max_depth && !fatal_) {
      fatal_ = true;
      diags_->Error(
          {mark.line + 1, mark.column + 1}, "",
          "document is nested more than " + std::to_string(limits_.max_depth) + " levels deep",
          "TOPO_MAX_DEPTH raises the limit");
    }
    std::string ptr = ChildPointer();
    if (!stack_.empty() && stack_.back().is_map && stack_.back().expecting_key) {
      // A complex (non-scalar) key: allowed by YAML, meaningless here; the schema rejects it.
      stack_.back().pending_key = "?";
    }
    Frame f{is_map, anchor, nodes_ - 1};
    f.pointer = ptr;
    stack_.push_back(std::move(f));
  }

  void Close() {
    if (stack_.empty()) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor) anchor_sizes_[f.anchor] = nodes_ - f.nodes_at_start;
    if (!stack_.empty()) {
      Frame& parent = stack_.back();
      if (parent.is_map) {
        parent.expecting_key = !parent.expecting_key;
      } else {
        ++parent.index;
      }
    }
  }

  DiagnosticList* diags_;
  const LoadLimits& limits_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, size_t> anchor_sizes_;
  size_t nodes_ = 0;
  int documents_ = 0;
  bool fatal_ = false;
};

}  // namespace

bool LoadText(const std::string& file, std::string text, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits) {
  doc->file = file;
  doc->text = std::move(text);
  doc->root = YAML::Node();
  if (doc->text.size() > limits.max_bytes) {
    diags->Error({1, 1}, "",
                 "file is " + std::to_string(doc->text.size()) + " bytes, more than the limit of " +
                     std::to_string(limits.max_bytes),
                 "set TOPO_MAX_BYTES to allow bigger files");
    return false;
  }
  if (doc->text.find('\0') != std::string::npos) {
    diags->Error({1, 1}, "", "file contains a NUL byte; a topology is a text file");
    return false;
  }
  try {
    std::istringstream in(doc->text);
    YAML::Parser parser(in);
    Inspector inspector(diags, limits);
    while (!inspector.fatal() && parser.HandleNextDocument(inspector)) {
    }
    if (inspector.fatal()) return false;
    if (inspector.documents() > 1) {
      diags->Error({1, 1}, "",
                   "file holds more than one YAML document; a topology is one document");
      return false;
    }
    doc->root = YAML::Load(doc->text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages are capitalised; ours are not.
    std::string msg = e.msg;
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
    Location loc{e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1};
    // yaml-cpp says "end of map not found" for tab indentation; say what is wrong.
    std::string hint;
    std::istringstream lines(doc->text);
    std::string line;
    for (int n = 1; std::getline(lines, line) && n <= loc.line; ++n) {
      if (n >= loc.line - 1 && line.find_first_not_of(" \t") != std::string::npos &&
          line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string::npos) {
        hint = "line " + std::to_string(n) + " is indented with a tab; YAML allows only spaces";
      }
    }
    diags->Error(loc, "", "yaml syntax error: " + msg, hint);
    return false;
  }
  if (!doc->root.IsDefined() || doc->root.IsNull()) {
    diags->Error({1, 1}, "", "file is empty; a topology needs at least 'name' and 'nodes'");
    return false;
  }
  if (doc->root.IsMap()) {
    const YAML::Node nodes = doc->root["nodes"];
    if (nodes.IsMap() && nodes.size() > limits.max_lab_nodes) {
      Location loc = LocationOf(nodes);
      diags->Error(loc, "/nodes",
                   "lab has " + std::to_string(nodes.size()) + " nodes, more than the limit of " +
                       std::to_string(limits.max_lab_nodes),
                   "set TOPO_MAX_NODES to allow more (each node is a network namespace)");
      return false;
    }
  }
  return true;
}

LoadLimits LoadLimitsFromEnvironment(std::string* error) {
  LoadLimits limits;
  error->clear();
  const auto read = [&](const char* name, auto* value) {
    const char* text = std::getenv(name);
    if (!text || !*text || !error->empty()) return;
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    using T = std::remove_pointer_t<decltype(value)>;
    if (*text < '0' || *text > '9' || *end != '\0' || errno == ERANGE || v == 0 ||
        v > static_cast<unsigned long long>(std::numeric_limits<T>::max())) {
      *error = std::string(name) + "='" + text + "' is not a positive number";
      return;
    }
    *value = static_cast<T>(v);
  };
  read("TOPO_MAX_BYTES", &limits.max_bytes);
  read("TOPO_MAX_DEPTH", &limits.max_depth);
  read("TOPO_MAX_YAML_NODES", &limits.max_nodes);
  read("TOPO_MAX_NODES", &limits.max_lab_nodes);
  return limits;
}

std::string InputName(const std::string& path) { return path == kStdinPath ? kStdinName : path; }

bool LoadFile(const std::string& path, Document* doc, DiagnosticList* diags,
              const LoadLimits& limits) {
  std::istream* in = &std::cin;
  std::ifstream file;
  if (path != kStdinPath) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      diags->Error({}, "", "cannot read '" + path + "': it is a directory",
                   "give the topology file itself, e.g. " +
                       (std::filesystem::path(path) / "lab.yaml").string());
      doc->file = path;
      return false;
    }
    file.open(path, std::ios::binary);
    if (!file) {
      diags->Error({}, "", "cannot read '" + path + "': " + std::strerror(errno));
      doc->file = path;
      return false;
    }
    in = &file;
  }
  // Read in chunks, stopping one byte past the limit: a huge file is refused
  // without reading it all, and a small one costs no more than its size.
  std::string text;
  char buf[65536];
  while (text.size() <= limits.max_bytes && in->read(buf, sizeof(buf)).gcount() > 0) {
    text.append(buf, static_cast<size_t>(in->gcount()));
  }
  if (in->bad()) {
    diags->Error({}, "", "cannot read '" + InputName(path) + "': " + std::strerror(errno));
    doc->file = path;
    return false;
  }
  if (text.size() > limits.max_bytes) {
    doc->file = path;
    diags->Error({1, 1}, "",
                 "file is larger than the limit of " + std::to_string(limits.max_bytes) + " bytes",
                 "set TOPO_MAX_BYTES to allow bigger files");
    return false;
  }
  return LoadText(path, std::move(text), doc, diags, limits);
}

}  // namespace topo
