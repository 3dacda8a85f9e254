#include "model/change_set.h"

namespace hotpod {
namespace {

// What a path that was `before` becomes after `next` happens to it; nullopt: no net change.
std::optional<ChangeKind> coalesce(ChangeKind before, ChangeKind next) {
  using K = ChangeKind;
  switch (before) {
    case K::Created:
      return next == K::Removed ? std::nullopt : std::optional(K::Created);
    case K::Removed:
      return next == K::Removed ? K::Removed : K::Modified;  // replaced, e.g. a rename-over save
    case K::Modified:
      return next == K::Removed ? K::Removed : K::Modified;
    case K::Renamed:
      return next == K::Removed ? std::optional(K::Removed) : std::optional(K::Renamed);
  }
  return next;
}

}  // namespace

void ChangeSet::add(const FileEvent& event) {
  auto [it, inserted] = changes_.try_emplace(event.path, event.kind);
  if (inserted) return;
  if (auto kind = coalesce(it->second, event.kind)) {
    it->second = *kind;
  } else {
    changes_.erase(it);
  }
}

void ChangeSet::merge(const ChangeSet& other) {
  for (const auto& [path, kind] : other.changes_) add({path, kind, {}});
  synced_ = synced_ || other.synced_;
}

std::vector<std::string> ChangeSet::paths() const {
  std::vector<std::string> out;
  out.reserve(changes_.size());
  for (const auto& [path, kind] : changes_) out.push_back(path);
  return out;
}

std::string ChangeSet::summary(size_t max_listed) const {
  std::string text;
  size_t listed = 0;
  for (const auto& [path, kind] : changes_) {
    if (listed++ == max_listed) {
      text += ", … (" + std::to_string(changes_.size() - max_listed) + " more)";
      break;
    }
    if (!text.empty()) text += ", ";
    text += path;
  }
  return text;
}

}  // namespace hotpod
