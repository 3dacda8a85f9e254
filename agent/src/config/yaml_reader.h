#pragma once
// Typed reading of hotpod.yaml values. Every mistake becomes a ConfigError that names the file,
// the 1-based line and column of the offending node, the dotted key and what to write instead.
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace hotpod {

// One "key: value" pair of the document.
struct YamlField {
  std::string key;      // dotted path: "watch.delay"
  YAML::Node key_node;  // where the key is written; errors about empty values point here
  YAML::Node value;
};

class YamlReader {
 public:
  explicit YamlReader(std::string file_name) : file_name_(std::move(file_name)) {}

  const std::string& fileName() const { return file_name_; }
  [[noreturn]] void fail(const YamlField& field, std::string problem, std::string hint = {}) const;
  [[noreturn]] void failAt(const YAML::Node& node, const std::string& key, std::string problem,
                           std::string hint = {}) const;

  // The pairs of a section (null: none), after checking that it is a map whose keys are all in
  // validConfigKeys(section_name) and appear once.
  std::vector<YamlField> sectionFields(const YamlField& section,
                                       std::string_view section_name) const;
  // The pairs of a free-form map such as build.env; keys must be unique scalars. `example`
  // completes "e.g. KEY: EXAMPLE" when the value is not a map.
  std::vector<YamlField> mapFields(const YamlField& map, std::string_view example) const;

  // `example` completes "e.g. KEY: EXAMPLE" in hints. Null reads as "".
  std::string readString(const YamlField& field, std::string_view example) const;
  bool readBool(const YamlField& field) const;
  Duration readDuration(const YamlField& field) const;
  int readSignal(const YamlField& field) const;
  // One of `choices` (matched ignoring case), returned as written in `choices`.
  std::string readChoice(const YamlField& field, const std::vector<std::string>& choices) const;
  // A list of strings, or one string; with `split_commas` the string may be "go, tmpl".
  // Null reads as an empty list; empty items in a list are an error.
  struct ListItem {
    std::string text;
    YAML::Node node;  // the item, or the whole string it was split from
  };
  std::vector<ListItem> readStringList(const YamlField& field, std::string_view example,
                                       bool split_commas) const;

 private:
  // Fails unless the value is a scalar: "missing value" or "expected X, got a list".
  void requireScalar(const YamlField& field, std::string_view expected,
                     std::string_view example) const;

  std::string file_name_;
};

// "a list", "a map", "'the text'", "nothing": for "expected X, got Y".
std::string describeNodeType(const YAML::Node& node);

}  // namespace hotpod
