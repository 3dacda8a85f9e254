#include "observe/audit_trail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "base/files.h"
#include "base/json_text.h"
#include "base/text.h"
#include "base/unique_fd.h"

namespace hotpod {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr size_t kRememberedVersions = 64;

std::string hashText(uint64_t hash) {
  char text[32];
  std::snprintf(text, sizeof text, "fnv1a64:%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// The regular files of an output (itself, or what is below a directory), relative to root.
void collectFiles(const fs::path& root, const std::string& output, std::vector<std::string>& into) {
  std::error_code error;
  const fs::path path = root / output;
  if (fs::is_regular_file(fs::symlink_status(path, error))) {
    into.push_back(output);
    return;
  }
  if (!fs::is_directory(fs::symlink_status(path, error))) return;
  for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error) && !it->is_symlink(error)) {
      into.push_back(fs::relative(it->path(), root, error).generic_string());
    }
  }
}

}  // namespace

// Read in pieces: a build output (a Go binary, a bundle) is often larger than what hotpod reads
// of a file at once, and need not be in memory to be hashed.
std::optional<std::string> hashFile(const fs::path& path, uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return std::nullopt;
  uint64_t hash = kStableHashStart;
  uint64_t total = 0;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    total += static_cast<uint64_t>(got);
    if (total > max_bytes) return std::nullopt;  // it grew while being read
    hash = stableHash({buffer, static_cast<size_t>(got)}, hash);
  }
  return hashText(hash);
}

std::string auditTime(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return text;
}

std::optional<std::chrono::system_clock::time_point> parseAuditTime(std::string_view text) {
  std::tm utc{};
  int millis = 0;
  const std::string copy(text);
  const char* rest = ::strptime(copy.c_str(), "%Y-%m-%d", &utc);
  if (rest == nullptr) return std::nullopt;
  if (*rest == 'T' || *rest == ' ') {
    rest = ::strptime(rest + 1, "%H:%M:%S", &utc);
    if (rest == nullptr) return std::nullopt;
    if (*rest == '.') {
      int digits = 0;
      for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
        if (digits < 3) millis = millis * 10 + (*rest - '0');
      }
      if (digits == 0) return std::nullopt;
      for (; digits < 3; ++digits) millis *= 10;
    }
    if (*rest == 'Z') ++rest;
  }
  if (*rest != '\0') return std::nullopt;
  const std::time_t seconds = ::timegm(&utc);
  return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds(millis);
}

AuditTrail::AuditTrail(const Config& config, fs::path root, std::vector<std::string> outputs)
    : root_(std::move(root)),
      outputs_(std::move(outputs)),
      webhooks_(!config.notify.webhooks.empty()),
      log_(std::make_shared<AuditLog>(config.audit)) {}

AuditTrail::AuditTrail(const AuditTrail& shared, std::vector<std::string> outputs)
    : root_(shared.root_),
      outputs_(std::move(outputs)),
      webhooks_(shared.webhooks_),
      log_(shared.log_) {}

json AuditTrail::describe(const AuditCause& cause) const {
  json out = {{"kind", cause.kind}};
  if (cause.kind == "files") {
    json files = json::array();
    for (const auto& [path, kind] : cause.files.changes()) {
      if (files.size() == kMaxListedFiles) break;
      json file = {{"path", path}, {"change", toString(kind)}};
      struct stat st;
      if (::stat((root_ / path).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        file["size"] = static_cast<uint64_t>(st.st_size);
        const auto hash = hashFile(root_ / path, kMaxHashedBytes);
        file["hash"] = hash ? json(*hash) : json(nullptr);
      } else {
        file["size"] = nullptr;
        file["hash"] = nullptr;  // removed (or not a file) by the time it was recorded
      }
      files.push_back(std::move(file));
    }
    out["via"] = cause.files.synced() ? "sync" : "watch";
    out["count"] = cause.files.size();
    out["files"] = std::move(files);
  }
  if (cause.build) out["build"] = *cause.build;
  if (cause.request) {
    out["action"] = cause.request->action;
    out["client"] = cause.request->client;
  }
  if (!cause.detail.empty()) out["detail"] = cause.detail;
  return out;
}

json AuditTrail::currentVersion() const {
  std::vector<std::string> files;
  for (const auto& output : outputs_) collectFiles(root_, output, files);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (files.empty()) return nullptr;
  if (files.size() == 1) {
    const auto hash = hashFile(root_ / files.front(), kMaxHashedBytes);
    return hash ? json(*hash) : json(nullptr);
  }
  // Several files: the hash of their names and hashes, so that any change to any of them shows.
  std::string listing;
  for (const auto& file : files) {
    listing += file + '\0' + hashFile(root_ / file, kMaxHashedBytes).value_or("-") + '\n';
  }
  return hashText(stableHash(listing));
}

void AuditTrail::builtVersion(uint64_t build, json version) {
  versions_[build] = std::move(version);
  while (versions_.size() > kRememberedVersions) versions_.erase(versions_.begin());
}

json AuditTrail::versionOf(std::optional<uint64_t> build) const {
  if (build) {
    auto found = versions_.find(*build);
    if (found != versions_.end()) return found->second;
  }
  return currentVersion();
}

json AuditTrail::record(std::string_view event, json fields) {
  json record = {{"time", auditTime(std::chrono::system_clock::now())}, {"event", event}};
  record.update(fields);
  if (log_->enabled()) {
    log_->append(jsonText(record));
  }
  return record;
}

}  // namespace hotpod
