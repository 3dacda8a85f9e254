#pragma once
// Typed reading of .air.toml values for import_air.cpp: a value of the wrong type stops air
// too, so it is a ConfigError naming file:line:column and the key.
#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/duration.h"
#include "model/config_error.h"

namespace hotpod::import_detail {

inline std::string describe(const toml::node& node) {
  return node.is_string()    ? "a string"
         : node.is_boolean() ? "a boolean"
         : node.is_array()   ? "an array"
         : node.is_table()   ? "a table"
         : node.is_number()  ? "a number"
                             : "a date or time";
}

class AirReader {
 public:
  explicit AirReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& problem,
                         const std::string& hint = {}) const {
    const auto& begin = node.source().begin;
    throw ConfigError(file_, static_cast<int>(begin.line), static_cast<int>(begin.column), key,
                      problem, hint);
  }
  std::string text(const toml::node& node, const std::string& key) const {
    if (!node.is_string()) fail(node, key, "expected a string, got " + describe(node));
    return node.as_string()->get();
  }
  std::vector<std::string> texts(const toml::node& node, const std::string& key) const {
    if (!node.is_array()) fail(node, key, "expected an array of strings, got " + describe(node));
    std::vector<std::string> out;
    for (const auto& item : *node.as_array()) out.push_back(text(item, key));
    return out;
  }
  int64_t integer(const toml::node& node, const std::string& key) const {
    if (!node.is_integer()) fail(node, key, "expected an integer, got " + describe(node));
    return node.as_integer()->get();
  }
  bool boolean(const toml::node& node, const std::string& key) const {
    if (!node.is_boolean()) fail(node, key, "expected true or false, got " + describe(node));
    return node.as_boolean()->get();
  }
  // A Go time.Duration: an integer of nanoseconds, or text such as "500ms" or "1m30s". air reads
  // integers below 1ms as milliseconds, so `kill_delay = 500` is 500ms.
  int64_t killDelayMs(const toml::node& node, const std::string& key) const {
    if (node.is_integer()) {
      int64_t ns = node.as_integer()->get();
      return ns < 1'000'000 ? ns : ns / 1'000'000;
    }
    auto duration = parseDuration(text(node, key), DurationSyntax::Go);
    if (!duration) fail(node, key, "invalid duration '" + text(node, key) + "'", "e.g. \"500ms\"");
    return duration->count();
  }

 private:
  std::string file_;
};

}  // namespace hotpod::import_detail
