#pragma once
#include <stdexcept>
#include <string>

namespace hotpod {

// A configuration mistake. what() is one line a user can act on:
//   hotpod.yaml:4:3: watch.delai: unknown key; did you mean 'watch.delay'?
// hotpod exits with status 2 on it.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, std::string key, std::string problem,
              std::string hint = {});

  const std::string& file() const { return file_; }
  int line() const { return line_; }      // 1-based; 0 when not from a file
  int column() const { return column_; }  // 1-based; 0 when not from a file
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_;
  std::string problem_;
  std::string hint_;
};

}  // namespace hotpod
