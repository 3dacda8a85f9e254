#include "model/config_error.h"

#include <utility>

namespace hotpod {
namespace {

// FILE:LINE:COL: KEY: PROBLEM; HINT — parts that are unknown are left out.
std::string describe(const std::string& file, int line, int column, const std::string& key,
                     const std::string& problem, const std::string& hint) {
  std::string text;
  if (!file.empty()) {
    text += file;
    if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
    text += ": ";
  }
  if (!key.empty()) text += key + ": ";
  text += problem;
  if (!hint.empty()) text += "; " + hint;
  return text;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key,
                         std::string problem, std::string hint)
    : std::runtime_error(describe(file, line, column, key, problem, hint)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      problem_(std::move(problem)),
      hint_(std::move(hint)) {}

}  // namespace hotpod
