#pragma once
// A process environment to hand to a child: the current one plus overrides.
#include <map>
#include <string>
#include <vector>

namespace hotpod {

class Environment {
 public:
  static Environment fromCurrent();
  // hotpod's own environment without any HOTPOD_* variable: those are hotpod's inputs (its
  // settings, and HOTPOD_TOKEN, the secret of the control endpoints), not the children's.
  // What hotpod tells a child (HOTPOD_CHANGED_FILES …) is set on top of this.
  static Environment forChildren();
  void set(const std::string& key, const std::string& value) { vars_[key] = value; }
  void unset(const std::string& key) { vars_.erase(key); }
  std::vector<std::string> entries() const;  // "KEY=VALUE", sorted

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace hotpod
