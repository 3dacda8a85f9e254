#pragma once
// A JSON document (nlohmann-json) that remembers where each value was written, so that an
// importer's errors name the line and column like hotpod.yaml's do. nlohmann-json 3.11 keeps no
// positions itself; the parse counts the characters its lexer consumed at each event.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotpod {

struct TextPosition {
  int line = 0;  // 1-based; 0: unknown
  int column = 0;
};

class LocatedJson {
 public:
  // Throws ConfigError naming `file`, line and column for text that is not JSON.
  static LocatedJson parse(std::string_view text, const std::string& file);

  const nlohmann::json& root() const { return root_; }
  // Where the value at `pointer` ("/watch/0") starts.
  TextPosition positionOf(const nlohmann::json::json_pointer& pointer) const;

 private:
  nlohmann::json root_;
  std::unordered_map<std::string, size_t> offsets_;  // json pointer -> byte offset
  std::string text_;
};

// One value of a LocatedJson, with where it is (for errors).
struct JsonField {
  const nlohmann::json& value;
  nlohmann::json::json_pointer pointer = nlohmann::json::json_pointer();
};

// Reads typed values out of a LocatedJson; every mistake is a ConfigError naming file, line,
// column and key.
class JsonReader {
 public:
  using Strings = std::vector<std::string>;
  JsonReader(std::string file, const LocatedJson& doc) : file_(std::move(file)), doc_(doc) {}

  [[noreturn]] void fail(const JsonField& field, const std::string& key, const std::string& problem,
                         const std::string& hint = {}) const;
  // A string; a number or true/false is taken as written (tools that read these files with
  // JavaScript's loose typing accept both).
  std::string text(const JsonField& field, const std::string& key) const;
  // An array of strings; a single string is one item.
  Strings texts(const JsonField& field, const std::string& key) const;
  bool flag(const JsonField& field, const std::string& key) const;
  std::map<std::string, std::string> object(const JsonField& field, const std::string& key) const;

 private:
  std::string file_;
  const LocatedJson& doc_;
};

}  // namespace hotpod
