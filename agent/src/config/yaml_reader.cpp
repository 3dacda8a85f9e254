#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "base/duration.h"
#include "base/signals.h"
#include "base/text.h"
#include "config/key_suggestions.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

constexpr std::string_view kDurationHint = "use a number with a unit: 250ms, 5s, 2m";

std::string_view leafName(std::string_view dotted_key) {
  auto dot = dotted_key.rfind('.');
  return dot == std::string_view::npos ? dotted_key : dotted_key.substr(dot + 1);
}

bool isBareNumber(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

std::string describeNodeType(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

void YamlReader::failAt(const YAML::Node& node, const std::string& key, std::string problem,
                        std::string hint) const {
  YAML::Mark mark = node.Mark();
  bool known = mark.line >= 0 && mark.column >= 0;
  throw ConfigError(file_name_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key,
                    std::move(problem), std::move(hint));
}

void YamlReader::fail(const YamlField& field, std::string problem, std::string hint) const {
  // An empty value ("delay:") is marked where the next token starts; point at the key instead.
  const YAML::Node& at = field.value.IsNull() ? field.key_node : field.value;
  failAt(at, field.key, std::move(problem), std::move(hint));
}

void YamlReader::requireScalar(const YamlField& field, std::string_view expected,
                               std::string_view example) const {
  if (field.value.IsScalar()) return;
  std::string hint = "e.g. " + std::string(leafName(field.key)) + ": " + std::string(example);
  if (field.value.IsNull()) fail(field, "missing value; expected " + std::string(expected), hint);
  fail(field, "expected " + std::string(expected) + ", got " + describeNodeType(field.value), hint);
}

std::vector<YamlField> YamlReader::sectionFields(const YamlField& section,
                                                 std::string_view section_name) const {
  if (section.value.IsNull()) return {};
  if (!section.value.IsMap()) {
    if (section_name.empty()) {
      fail(section,
           "the top level must be a map of settings, not " + describeNodeType(section.value),
           "start with a section such as 'watch:' or 'build:'; 'hotpod init' writes an example");
    }
    fail(section, "expected a map of settings, got " + describeNodeType(section.value),
         "indent its keys below '" + std::string(section_name) + ":', e.g. " +
             validConfigKeys(section_name).front() + ": ...");
  }
  std::vector<YamlField> fields = mapFields(section, {});
  const auto& valid = validConfigKeys(section_name);
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      failAt(field.key_node, field.key, "unknown key", unknownKeyHint(section_name, name));
    }
  }
  return fields;
}

std::vector<YamlField> YamlReader::mapFields(const YamlField& map, std::string_view example) const {
  if (map.value.IsNull()) return {};
  if (!map.value.IsMap()) {
    fail(map, "expected a map of NAME: value, got " + describeNodeType(map.value),
         "e.g. " + std::string(leafName(map.key)) + ": " + std::string(example));
  }
  std::vector<YamlField> fields;
  std::unordered_map<std::string, size_t> seen;  // key → index in fields: linear in the keys
  for (auto it = map.value.begin(); it != map.value.end(); ++it) {
    const YAML::Node key_node = it->first;  // a copy: it-> returns a temporary proxy
    if (!key_node.IsScalar() || key_node.Scalar().empty()) {
      failAt(key_node, map.key, "keys must be plain names, got " + describeNodeType(key_node));
    }
    std::string name = key_node.Scalar();
    std::string dotted = map.key.empty() ? name : map.key + "." + name;
    if (auto [earlier, added] = seen.emplace(dotted, fields.size()); !added) {
      failAt(key_node, dotted, "duplicate key",
             "it is already set on line " +
                 std::to_string(fields[earlier->second].key_node.Mark().line + 1) +
                 "; keep only one");
    }
    fields.push_back({dotted, key_node, it->second});
  }
  return fields;
}

std::string YamlReader::readString(const YamlField& field, std::string_view example) const {
  if (field.value.IsNull()) return {};
  requireScalar(field, "a string", example);
  return field.value.Scalar();
}

bool YamlReader::readBool(const YamlField& field) const {
  requireScalar(field, "true or false", "true");
  std::string text = lowercase(field.value.Scalar());
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(field, "expected true or false, got '" + field.value.Scalar() + "'");
}

Duration YamlReader::readDuration(const YamlField& field) const {
  requireScalar(field, "a duration", "500ms");
  const std::string& text = field.value.Scalar();
  if (auto duration = parseDuration(text)) {
    if (*duration > kLongestDuration) {
      fail(field,
           "duration '" + text + "' is longer than the maximum " +
               formatDuration(kLongestDuration) + " (10 years)",
           "write " + formatDuration(kLongestDuration) + " or less; it already means 'never'");
    }
    return *duration;
  }
  if (isBareNumber(text)) {
    fail(field, "invalid duration '" + text + "': a number needs a unit",
         "write e.g. " + text + "ms or " + text + "s");
  }
  fail(field, "invalid duration '" + text + "'", std::string(kDurationHint));
}

int YamlReader::readSignal(const YamlField& field) const {
  requireScalar(field, "a signal", "SIGTERM");
  if (auto signal = parseSignal(field.value.Scalar())) return *signal;
  fail(field, "unknown signal '" + field.value.Scalar() + "'",
       "use a name such as SIGTERM, SIGINT, SIGHUP, SIGUSR1, or a number from 1 to 64");
}

std::string YamlReader::readChoice(const YamlField& field,
                                   const std::vector<std::string>& choices) const {
  requireScalar(field, "one of " + joined(choices), choices.front());
  std::string text = lowercase(field.value.Scalar());
  for (const auto& choice : choices) {
    if (text == choice) return choice;
  }
  fail(field, "invalid value '" + field.value.Scalar() + "'", "valid values: " + joined(choices));
}

std::vector<YamlReader::ListItem> YamlReader::readStringList(const YamlField& field,
                                                             std::string_view example,
                                                             bool split_commas) const {
  std::string hint =
      "write it as e.g. " + std::string(leafName(field.key)) + ": " + std::string(example);
  std::vector<ListItem> items;
  if (field.value.IsNull()) return items;
  if (field.value.IsScalar()) {
    std::string_view text = field.value.Scalar();
    if (!split_commas) {
      if (!text.empty()) items.push_back({std::string(text), field.value});
      return items;
    }
    while (!text.empty()) {
      auto comma = text.find(',');
      std::string item = trimmed(text.substr(0, comma), " \t");
      if (!item.empty()) items.push_back({std::move(item), field.value});
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return items;
  }
  if (!field.value.IsSequence()) {
    fail(field, "expected a list of strings, got " + describeNodeType(field.value), hint);
  }
  for (const auto& element : field.value) {
    if (!element.IsScalar()) {
      failAt(element, field.key,
             "expected a list of strings, but an item is " + describeNodeType(element), hint);
    }
    if (element.Scalar().empty()) failAt(element, field.key, "empty item in the list", "remove it");
    items.push_back({element.Scalar(), element});
  }
  return items;
}

}  // namespace hotpod
