// The schema stage: the YAML tree is checked against schemas/topology.schema.json
// with valijson, and each violation becomes a diagnostic located at the YAML node
// it is about, with a message written for people rather than valijson's wording.
//
// valijson's YamlCppAdapter is not used. With Debian 12's valijson 1.0 it does not
// compile (the 'uniqueItems' check needs operator-- on its forward-only iterator),
// and it would be wrong if it did: it calls every node a string (mappings and lists
// too), never an integer or boolean (only "weak" typing can work, where "9000" and
// 9000 are both integers), and it throws when a 'pattern' or 'enum' meets an empty
// value. So the tree is copied into JSON with YAML 1.2 core-schema typing, the one
// editors use (9000 is an integer, "9000" and 1.1.1.1/24 are strings, true is a
// boolean, ~ and an empty value are null), checked with strict types, and each
// error is located by walking the original tree along its path.
#include "front/schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "front/load.h"

namespace topo {
namespace {

using nlohmann::json;
// Keys and indexes from the root to a value: {"nodes", "a", "routes", "0"}.
using Path = std::vector<std::string>;

// Bounds on the copy, for trees that did not come through Load's limits (an alias
// cycle makes an infinitely deep tree).
constexpr int kMaxDepth = 256;
constexpr size_t kMaxNodes = 4'000'000;

// ---------------------------------------------------------------------------
// The schema, parsed once.

// Some constraints are in the file for editors only: the semantic checks that run
// after this stage report the same problems with more precise messages, so the copy
// valijson checks leaves them out and each problem is reported once.
//  - 'pattern': names and addresses. (valijson would also fail a 'propertyNames'
//    pattern without recording any error.)
//  - 'anyOf': a route's "at least one of 'via' and 'dev'".
void DropEditorOnlyConstraints(json& schema) {
  if (schema.is_array()) {
    for (json& s : schema) DropEditorOnlyConstraints(s);
    return;
  }
  if (!schema.is_object()) return;
  schema.erase("pattern");
  schema.erase("anyOf");
  for (auto& [key, value] : schema.items()) {
    if (key == "properties" || key == "definitions") {
      for (auto& [name, sub] : value.items()) DropEditorOnlyConstraints(sub);
    } else if (key != "enum" && key != "const" && key != "default" && key != "examples") {
      DropEditorOnlyConstraints(value);
    }
  }
}

struct CompiledSchema {
  json doc;                 // as written: read for messages (properties, enum, bounds)
  json checked;             // doc without editor-only constraints
  valijson::Schema schema;  // compiled from `checked`
};

const CompiledSchema& Compiled() {
  static const CompiledSchema* compiled = [] {
    auto* c = new CompiledSchema;
    c->doc = json::parse(kTopologySchemaJson);
    c->checked = c->doc;
    DropEditorOnlyConstraints(c->checked);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(c->checked);
    parser.populateSchema(adapter, c->schema);
    return c;
  }();
  return *compiled;
}

// ---------------------------------------------------------------------------
// YAML to JSON, typed as YAML 1.2's core schema does.

// Keys are names. A key that is itself a collection (reported as such) is written
// in flow style, so that it can still be named in pointers.
std::string KeyName(const YAML::Node& key) {
  if (key.IsScalar()) return key.Scalar();
  if (!key.IsDefined() || key.IsNull()) return "null";
  YAML::Emitter out;
  out << YAML::Flow << key;
  return out.c_str();
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c))
                         : c >= '0' && c < static_cast<char>('0' + base);
    if (!ok) return false;
  }
  return true;
}

// [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+ that fits in 64 bits.
std::optional<int64_t> ParseInteger(std::string_view s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    base = s[1] == 'o' ? 8 : 16;
    digits = s.substr(2);
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    digits = s.substr(1);
  }
  if (!AllDigits(digits, base)) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (!negative && magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, [-+]?.inf, .nan.
std::optional<double> ParseFloat(std::string_view s) {
  std::string_view body = s;
  double sign = 1;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") return sign * INFINITY;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return NAN;
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0 || (int_digits == 0 && body[0] != '.')) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    if (!AllDigits(body.substr(i), 10)) return std::nullopt;
    i = body.size();
  }
  if (i != body.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

json PlainScalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = ParseInteger(s)) return *i;
  if (auto d = ParseFloat(s)) return *d;
  return s;
}

json ScalarToJson(const YAML::Node& node) {
  // Quoted and block scalars carry the non-specific tag "!": always strings.
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
  return PlainScalar(node.Scalar());
}

// A mapping key that is a list or a mapping: YAML allows it, a topology has no use for it.
struct ComplexKey {
  YAML::Node key;
  std::string pointer;
};

class Converter {
 public:
  // False when the tree is deeper or bigger than the bounds above.
  bool Convert(const YAML::Node& node, json* out) { return Visit(node, 0, "", out); }
  const std::vector<ComplexKey>& complex_keys() const { return complex_keys_; }

 private:
  bool Visit(const YAML::Node& node, int depth, const std::string& pointer, json* out) {
    if (depth > kMaxDepth || ++count_ > kMaxNodes) return false;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        *out = ScalarToJson(node);
        return true;
      case YAML::NodeType::Sequence: {
        *out = json::array();
        size_t index = 0;
        for (const auto& item : node) {
          std::string child = PointerJoin(pointer, std::to_string(index++));
          if (!Visit(item, depth + 1, child, &out->emplace_back())) return false;
        }
        return true;
      }
      case YAML::NodeType::Map:
        *out = json::object();
        for (const auto& kv : node) {
          std::string name = KeyName(kv.first);
          std::string child = PointerJoin(pointer, name);
          if (kv.first.IsSequence() || kv.first.IsMap()) complex_keys_.push_back({kv.first, child});
          // A duplicate key (Load reports it) keeps its first value, as yaml-cpp lookups do.
          auto [it, inserted] = out->emplace(std::move(name), nullptr);
          if (inserted && !Visit(kv.second, depth + 1, child, &*it)) return false;
        }
        return true;
      default:
        *out = nullptr;
        return true;
    }
  }

  size_t count_ = 0;
  std::vector<ComplexKey> complex_keys_;
};

// ---------------------------------------------------------------------------
// valijson's errors.

struct SchemaError {
  Path path;
  std::string what;  // valijson's description
};

// True when `data` conforms; otherwise fills `errors`.
bool Validate(const json& data, std::vector<SchemaError>* errors) {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(data);
  if (validator.validate(Compiled().schema, target, &results)) return true;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    SchemaError err{{}, e.description};
    for (const std::string& token : e.context) {  // "<root>", "[nodes]", "[0]", ...
      if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
        err.path.push_back(token.substr(1, token.size() - 2));
      }
    }
    errors->push_back(std::move(err));
  }
  return false;
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Errors that only say a child failed; the child's own error says why.
bool IsWrapper(const std::string& what) {
  return StartsWith(what, "Failed to validate against schema associated with property name") ||
         StartsWith(what, "Failed to validate against additional properties schema") ||
         StartsWith(what, "Failed to validate item #") ||
         StartsWith(what, "Failed to validate against child schema #") ||
         StartsWith(what, "Failed to validate against any child schemas allowed by oneOf");
}

// ---------------------------------------------------------------------------
// What the schema says at each position of an error's path.

struct Frame {
  const json* data = nullptr;    // the value here
  const json* outer = nullptr;   // its schema, references followed
  const json* schema = nullptr;  // outer, or the oneOf branch that fits the value's type
  std::string label;             // "node", "route", ... for the definitions messages name
  std::string token;             // the key or index leading here ("" at the root)
  bool in_list = false;          // reached by index
};
using Frames = std::vector<Frame>;

const std::map<std::string, std::string>& Labels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"node", "node"},         {"interface", "interface"},
      {"address", "address"},   {"route", "route"},
      {"snat", "snat rule"},    {"link", "link"},
      {"endpoint", "endpoint"}, {"check", "check"},
      {"forward", "forward"},   {"firewallRule", "firewall rule"}};
  return *labels;
}

// Follows "#/definitions/..." references; `label` gets the first labelled definition.
const json* Deref(const json* s, std::string* label) {
  const json& definitions = Compiled().doc.at("definitions");
  for (int hops = 0; s && s->is_object() && s->contains("$ref") && hops < 16; ++hops) {
    const std::string ref = s->at("$ref").get<std::string>();
    const std::string_view kPrefix = "#/definitions/";
    if (!StartsWith(ref, kPrefix)) return nullptr;
    const std::string name = ref.substr(kPrefix.size());
    auto l = Labels().find(name);
    if (label->empty() && l != Labels().end()) *label = l->second;
    auto d = definitions.find(name);
    s = d == definitions.end() ? nullptr : &*d;
  }
  return s;
}

std::string TypeOf(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "null";
  }
}

// The schema's `oneOf` branches, by reference into the compiled schema (never a copy: callers keep
// pointers into them).
const json& OneOf(const json* s) {
  static const json* const kNone = new json(json::array());
  auto it = s->find("oneOf");
  return it == s->end() ? *kNone : *it;
}

std::vector<std::string> DeclaredTypes(const json* s) {
  if (!s || !s->contains("type")) return {};
  const json& t = s->at("type");
  if (t.is_string()) return {t.get<std::string>()};
  return t.get<std::vector<std::string>>();
}

// The types a value may have here, counting every oneOf branch.
std::vector<std::string> AllowedTypes(const json* s) {
  std::vector<std::string> types = DeclaredTypes(s);
  if (!types.empty() || !s) return types;
  for (const json& branch : OneOf(s)) {
    std::string unused;
    for (std::string& t : DeclaredTypes(Deref(&branch, &unused))) types.push_back(std::move(t));
  }
  return types;
}

bool TypeAllowed(const std::vector<std::string>& types, const json& v) {
  const std::string actual = TypeOf(v);
  for (const std::string& t : types) {
    if (t == actual || (t == "number" && actual == "integer")) return true;
  }
  return false;
}

// The oneOf branch whose type fits the value: the one whose keywords apply to it.
const json* Branch(const json* s, const json& value) {
  if (!s || !s->contains("oneOf")) return s;
  for (const json& branch : s->at("oneOf")) {
    std::string unused;
    const json* b = Deref(&branch, &unused);
    if (TypeAllowed(DeclaredTypes(b), value)) return b;
  }
  return s;
}

const json* ChildSchema(const Frame& parent, const std::string& token) {
  const json* s = parent.schema;
  if (!s) return nullptr;
  if (parent.data->is_object()) {
    auto props = s->find("properties");
    if (props != s->end() && props->contains(token)) return &props->at(token);
    auto extra = s->find("additionalProperties");
    return extra != s->end() && extra->is_object() ? &*extra : nullptr;
  }
  auto items = s->find("items");
  return items != s->end() && items->is_object() ? &*items : nullptr;
}

bool ParseIndex(const std::string& token, size_t* index) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), *index);
  return ec == std::errc() && end == token.data() + token.size();
}

// Frames for the root and each step of `path` that exists in `data`.
Frames Resolve(const json& data, const Path& path) {
  Frames frames(1);
  frames[0].data = &data;
  frames[0].outer = Deref(&Compiled().doc, &frames[0].label);
  frames[0].schema = Branch(frames[0].outer, data);
  for (const std::string& token : path) {
    const Frame& parent = frames.back();
    Frame f;
    f.token = token;
    size_t index = 0;
    if (parent.data->is_object() && parent.data->contains(token)) {
      f.data = &parent.data->at(token);
    } else if (parent.data->is_array() && ParseIndex(token, &index) &&
               index < parent.data->size()) {
      f.data = &parent.data->at(index);
      f.in_list = true;
    } else {
      break;
    }
    f.outer = Deref(ChildSchema(parent, token), &f.label);
    f.schema = Branch(f.outer, *f.data);
    frames.push_back(std::move(f));
  }
  return frames;
}

std::string Ident(const Frame& f) {
  if (!f.in_list) return "'" + f.token + "'";
  size_t index = 0;
  ParseIndex(f.token, &index);
  return "#" + std::to_string(index + 1);
}

// An object, for messages: "topology", "node 'server'", "route #2 of node 'server'".
std::string Describe(const Frames& f, size_t pos) {
  if (pos == 0) return "topology";
  std::string out = f[pos].label.empty() ? Ident(f[pos]) : f[pos].label + " " + Ident(f[pos]);
  for (size_t i = pos - 1; i > 0; --i) {
    if (!f[i].label.empty()) return out + " of " + Describe(f, i);
  }
  return out;
}

// Any value, for messages: "'mtu'", "link #1", "address #2 of interface 'lo' of node 'a'".
std::string Subject(const Frames& f, size_t pos) {
  if (pos == 0 || !f[pos].label.empty()) return Describe(f, pos);
  if (!f[pos].in_list) return "'" + f[pos].token + "'";
  return "item " + Ident(f[pos]) + " of " + Subject(f, pos - 1);
}

std::string TypeNoun(const std::string& type) {
  static const auto* nouns = new std::map<std::string, std::string>{
      {"object", "a mapping"},       {"array", "a list"},    {"string", "a string"},
      {"integer", "an integer"},     {"number", "a number"}, {"boolean", "a boolean"},
      {"float", "a decimal number"}, {"null", "null"}};
  auto it = nouns->find(type);
  return it == nouns->end() ? type : it->second;
}

// "a, b or c"
std::string JoinOr(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

// Values quoted in messages may hold any bytes the file did; invalid UTF-8 is
// replaced rather than thrown about (found by the fuzzer).
std::string Dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ValueText(const json& v) { return v.is_string() ? v.get<std::string>() : Dump(v); }

// ---------------------------------------------------------------------------
// Turning errors into diagnostics.

class Reporter {
 public:
  Reporter(const YAML::Node& root, const json& data, DiagnosticList* out)
      : root_(root), data_(data), out_(out) {}

  void Report(const std::vector<SchemaError>& errors) {
    // Type errors first: a value of the wrong type gets no other complaint.
    for (const SchemaError& e : errors) {
      if (StartsWith(e.what, "Value type not permitted")) ReportType(e.path);
    }
    for (const SchemaError& e : errors) {
      if (IsWrapper(e.what) || StartsWith(e.what, "Value type not permitted") ||
          mistyped_.count(Pointer(e.path))) {
        continue;
      }
      ReportOther(e);
    }
  }

  size_t count() const { return reported_.size(); }

 private:
  // The YAML nodes at the end of a path: the value and the key that leads to it.
  struct Spot {
    YAML::Node key;
    YAML::Node value;
  };

  using Index = std::unordered_map<std::string, Spot>;

  // A mapping's entries by key name, built the first time a path goes through it, so
  // that many errors in one big mapping do not each search it.
  const Index& IndexOf(const std::string& pointer, const YAML::Node& map) {
    auto [it, inserted] = indexes_.try_emplace(pointer);
    if (inserted) {
      for (const auto& kv : map) it->second.emplace(KeyName(kv.first), Spot{kv.first, kv.second});
    }
    return it->second;
  }

  // Nodes are rebound with reset() throughout: assigning one yaml-cpp node to another
  // would write into the tree.
  Spot Find(const Path& path) {
    Spot spot;
    spot.value.reset(root_);
    std::string pointer;
    for (const std::string& token : path) {
      const YAML::Node here = spot.value;
      size_t index = 0;
      if (here.IsMap()) {
        const Index& entries = IndexOf(pointer, here);
        auto it = entries.find(token);
        if (it == entries.end()) break;
        spot.key.reset(it->second.key);
        spot.value.reset(it->second.value);
      } else if (here.IsSequence() && ParseIndex(token, &index) && index < here.size()) {
        spot.key.reset();
        spot.value.reset(here[index]);
      } else {
        break;
      }
      pointer = PointerJoin(pointer, token);
    }
    return spot;
  }

  // Where a value is written; an empty value has no place of its own, so its key's.
  static Location ValueLocation(const Spot& spot) {
    Location at = LocationOf(spot.value);
    if (at.line > 0 && !spot.value.IsNull()) return at;
    Location key = LocationOf(spot.key);
    if (key.line > 0) return key;
    return at.line > 0 ? at : Location{1, 1};
  }

  static std::string Pointer(const Path& path) {
    std::string out;
    for (const std::string& token : path) out = PointerJoin(out, token);
    return out;
  }

  void Emit(Location at, std::string pointer, std::string message, std::string hint = "") {
    if (!reported_.insert({pointer, message}).second) return;
    out_->Error(at, std::move(pointer), std::move(message), std::move(hint));
  }

  Frames FramesFor(const Path& path) const {
    Frames f = Resolve(data_, path);
    return f.size() == path.size() + 1 ? f : Frames{};
  }

  void ReportType(const Path& path) {
    Frames f = FramesFor(path);
    if (f.empty()) return;
    const Frame& here = f.back();
    if (!here.outer) return;
    std::vector<std::string> allowed = AllowedTypes(here.outer);
    if (TypeAllowed(allowed, *here.data)) return;  // from a oneOf branch for another type
    mistyped_.insert(Pointer(path));
    std::string message;
    if (here.outer->contains("errorMessage")) {
      message = here.outer->at("errorMessage").get<std::string>();
    } else {
      std::vector<std::string> nouns;
      nouns.reserve(allowed.size());
      for (const std::string& t : allowed) nouns.push_back(TypeNoun(t));
      const std::string actual = here.data->is_number_float() ? "float" : TypeOf(*here.data);
      message =
          Subject(f, f.size() - 1) + " must be " + JoinOr(nouns) + ", not " + TypeNoun(actual);
    }
    const Spot spot = Find(path);
    Emit(ValueLocation(spot), Pointer(path), message, TypeHint(here, allowed, spot.value));
  }

  static std::string TypeHint(const Frame& here, const std::vector<std::string>& allowed,
                              const YAML::Node& node) {
    auto allows = [&](const char* t) {
      return std::find(allowed.begin(), allowed.end(), t) != allowed.end();
    };
    if (here.outer->contains("typeHint")) return here.outer->at("typeHint").get<std::string>();
    const json& v = *here.data;
    const std::string text = node.IsScalar() ? node.Scalar() : ValueText(v);
    if (v.is_null() && AcceptsEmpty(here.outer, "array")) return "write [] for an empty list";
    if (v.is_null() && AcceptsEmpty(here.outer, "object")) return "write {} for an empty mapping";
    if (allows("string") && (v.is_number() || v.is_boolean()) && !here.outer->contains("enum")) {
      return "quote it to make it a string: \"" + text + "\"";
    }
    if (allows("integer") && v.is_string() && ParseInteger(text)) {
      return "write it without quotes: " + text;
    }
    return "";
  }

  // Whether an empty list or mapping (`type`) is valid here.
  static bool AcceptsEmpty(const json* s, const std::string& type) {
    std::vector<const json*> candidates;
    if (!s->contains("oneOf")) candidates.push_back(s);
    for (const json& branch : OneOf(s)) {
      std::string unused;
      if (const json* b = Deref(&branch, &unused)) candidates.push_back(b);
    }
    for (const json* c : candidates) {
      std::vector<std::string> types = DeclaredTypes(c);
      if (std::find(types.begin(), types.end(), type) == types.end()) continue;
      return !c->contains("required") && c->value("minItems", 0) == 0 &&
             c->value("minProperties", 0) == 0;
    }
    return false;
  }

  void ReportOther(const SchemaError& e) {
    Frames f = FramesFor(e.path);
    if (f.empty()) return Fallback(e, {});
    const std::string& what = e.what;
    if (StartsWith(what, "Object contains a property that could not be validated")) {
      return ReportUnknownKeys(e.path, f);
    }
    if (StartsWith(what, "Missing required property '")) {
      std::string key = what.substr(what.find('\'') + 1);
      key = key.substr(0, key.rfind('\''));
      return Emit(ValueLocation(Find(e.path)), Pointer(e.path),
                  Describe(f, f.size() - 1) + " is missing required key '" + key + "'");
    }
    if (StartsWith(what, "Failed to match against any enum values")) return ReportEnum(e.path, f);
    if (StartsWith(what, "Expected number")) return ReportRange(e.path, f);
    if (StartsWith(what, "Array should contain")) return ReportCount(e.path, f, "items");
    if (StartsWith(what, "Object should have")) return ReportCount(e.path, f, "entries");
    Fallback(e, f);
  }

  // valijson names only the first unknown key of an object; this reports them all.
  void ReportUnknownKeys(const Path& path, const Frames& f) {
    const json* schema = f.back().schema;
    std::vector<std::string> known;
    if (schema->contains("properties")) {
      for (const auto& [name, unused] : schema->at("properties").items()) known.push_back(name);
    }
    Spot spot = Find(path);
    if (!spot.value.IsMap()) return;
    for (const auto& kv : spot.value) {
      const std::string key = KeyName(kv.first);
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      if (kv.first.IsMap() || kv.first.IsSequence()) continue;  // reported as a complex key
      Emit(LocationOf(kv.first), PointerJoin(Pointer(path), key),
           "unknown key '" + key + "' in " + Describe(f, f.size() - 1) + DidYouMean(key, known));
    }
  }

  void ReportEnum(const Path& path, const Frames& f) {
    const Frame& here = f.back();
    // From a oneOf branch for another type (`routes: auto` or a list): not this value's.
    if (!here.schema->contains("enum")) return;
    std::vector<std::string> options;
    for (const json& v : here.schema->value("enum", json::array())) options.push_back(ValueText(v));
    std::string what = "value for " + Subject(f, f.size() - 1);
    if (f.size() > 1 && !here.in_list && !f[f.size() - 2].label.empty()) {
      what = f[f.size() - 2].label + " " + here.token;
    }
    std::string value = ValueText(*here.data);
    std::string closest = ClosestMatch(value, options);
    std::string list;
    for (const std::string& o : options) list += (list.empty() ? "" : ", ") + o;
    Emit(ValueLocation(Find(path)), Pointer(path),
         "unknown " + what + " '" + value + "' (expected one of: " + list + ")",
         closest.empty() ? "" : "did you mean '" + closest + "'?");
  }

  static std::string Bound(const json& b) {
    if (b.is_number_float() && std::floor(b.get<double>()) == b.get<double>()) {
      return std::to_string(static_cast<int64_t>(b.get<double>()));
    }
    return Dump(b);
  }

  void ReportRange(const Path& path, const Frames& f) {
    const Frame& here = f.back();
    const json* s = here.schema;
    std::string range;
    if (s->contains("minimum") && s->contains("maximum")) {
      range = Bound(s->at("minimum")) + "-" + Bound(s->at("maximum"));
    } else if (s->contains("minimum")) {
      range = "at least " + Bound(s->at("minimum"));
    } else if (s->contains("maximum")) {
      range = "at most " + Bound(s->at("maximum"));
    }
    std::string name = here.in_list ? Subject(f, f.size() - 1) : here.token;
    Emit(ValueLocation(Find(path)), Pointer(path),
         name + " " + ValueText(*here.data) + " is out of range (" + range + ")");
  }

  // minItems/maxItems ("items") and minProperties/maxProperties ("entries").
  void ReportCount(const Path& path, const Frames& f, const std::string& noun) {
    const Frame& here = f.back();
    const bool items = noun == "items";
    const json* s = here.schema;
    const json min = s->value(items ? "minItems" : "minProperties", json());
    const json max = s->value(items ? "maxItems" : "maxProperties", json());
    const size_t size = here.data->size();
    std::string subject = Subject(f, f.size() - 1), message;
    if (!min.is_null() && min == max) {
      message = subject + " must have exactly " + min.dump() + " " + noun + ", not " +
                std::to_string(size);
    } else if (!min.is_null() && size < min.get<size_t>()) {
      message = min == 1 ? subject + " must not be empty"
                         : subject + " must have at least " + min.dump() + " " + noun;
    } else if (!max.is_null() && size > max.get<size_t>()) {
      message = subject + " must have at most " + max.dump() + " " + noun;
    } else {
      return Fallback({path, "has the wrong number of " + noun}, f);
    }
    Emit(ValueLocation(Find(path)), Pointer(path), message);
  }

  // Anything this file does not word itself: valijson's text, attributed.
  void Fallback(const SchemaError& e, const Frames& f) {
    std::string what = e.what;
    if (!what.empty() && what.back() == '.') what.pop_back();
    if (!what.empty()) {
      what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    }
    std::string subject = f.empty() ? "'" + Pointer(e.path) + "'" : Subject(f, f.size() - 1);
    Emit(ValueLocation(Find(e.path)), Pointer(e.path), subject + ": " + what);
  }

  const YAML::Node& root_;
  const json& data_;
  DiagnosticList* out_;
  std::set<std::pair<std::string, std::string>> reported_;  // (pointer, message)
  std::set<std::string> mistyped_;                          // pointers
  std::unordered_map<std::string, Index> indexes_;          // by the mapping's pointer
};

}  // namespace

bool CheckSchema(const YAML::Node& root, DiagnosticList* diags) {
  json data;
  Converter converter;
  if (!converter.Convert(root, &data)) {
    diags->Error(LocationOf(root), "",
                 "document is too deeply nested or too large to check against the schema",
                 "an alias that refers to its own anchor makes an endless document");
    return false;
  }
  DiagnosticList found(diags->file());
  for (const ComplexKey& k : converter.complex_keys()) {
    found.Error(
        LocationOf(k.key), k.pointer,
        std::string("a key must be a name, not ") + (k.key.IsMap() ? "a mapping" : "a list"));
  }
  std::vector<SchemaError> errors;
  if (Validate(data, &errors) && found.empty()) return true;
  Reporter reporter(root, data, &found);
  reporter.Report(errors);
  if (reporter.count() == 0 && found.empty()) {
    found.Error(LocationOf(root), "", "topology does not match the schema");
  }
  found.Sort();
  diags->Append(found);
  return false;
}

}  // namespace topo
