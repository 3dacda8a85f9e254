#pragma once
// A process environment to hand to a child: the current one plus overrides.
#include <map>
#include <string>
#include <vector>

namespace hotpod {

class Environment {
 public:
  static Environment fromCurrent();
  void set(const std::string& key, const std::string& value) { vars_[key] = value; }
  void unset(const std::string& key) { vars_.erase(key); }
  std::vector<std::string> entries() const;  // "KEY=VALUE", sorted

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace hotpod
