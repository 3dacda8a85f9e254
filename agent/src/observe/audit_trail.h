#pragma once
// The audit records: one JSON object per build, restart, signal, rollback and sync batch, saying
// when, what set it off (the changed files with their size and content hash, or the control
// request and its client), the result, and the version (a hash of the build outputs) it
// concerns. The same object goes to the audit log and into the webhook payloads: this is the one
// place that builds it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/change_set.h"
#include "model/config.h"
#include "model/control_request.h"
#include "observe/audit_log.h"

namespace hotpod {

// What set an action off.
struct AuditCause {
  std::string kind = "start";  // start, files, build, request, crash, rollback, not_ready
  ChangeSet files;             // files
  std::optional<uint64_t> build;
  std::optional<ControlRequest> request;
  std::string detail;  // not_ready: why

  static AuditCause of(std::string kind) { return {std::move(kind), {}, {}, {}, {}}; }
  static AuditCause changed(const ChangeSet& changes) { return {"files", changes, {}, {}, {}}; }
  static AuditCause afterBuild(uint64_t build) { return {"build", {}, build, {}, {}}; }
  static AuditCause requested(ControlRequest request) {
    return {"request", {}, {}, std::move(request), {}};
  }
};

class AuditTrail {
 public:
  static constexpr size_t kMaxListedFiles = 100;
  static constexpr uint64_t kMaxHashedBytes = uint64_t{256} << 20;

  // `outputs`: what the build produces, relative to `root` (build.artifacts and the app's
  // program). Opens the audit log if audit.path is set (throws std::system_error, see AuditLog).
  AuditTrail(const Config& config, std::filesystem::path root, std::vector<std::string> outputs);
  // One service's records (services:): written to `shared`'s log, their versions hashed from
  // the service's own `outputs` and remembered by the service's own build numbers.
  AuditTrail(const AuditTrail& shared, std::vector<std::string> outputs);

  // Records cost hashing files: they are built only when the audit log or a webhook reads them.
  bool wanted() const { return log_->enabled() || webhooks_; }

  nlohmann::json describe(const AuditCause& cause) const;
  // The hash of the build outputs as they are now; null when no output is known or present.
  nlohmann::json currentVersion() const;
  // Remembers the version a build produced, for the restarts and rollbacks that start it later.
  void builtVersion(uint64_t build, nlohmann::json version);
  nlohmann::json versionOf(std::optional<uint64_t> build) const;

  // {"time": …, "event": event, …fields}: appended to the audit log (when configured) and
  // returned, for the webhook payload.
  nlohmann::json record(std::string_view event, nlohmann::json fields);

 private:
  const std::filesystem::path root_;
  const std::vector<std::string> outputs_;
  const bool webhooks_;
  std::shared_ptr<AuditLog> log_;                // shared by the services' trails
  std::map<uint64_t, nlohmann::json> versions_;  // the newest builds' versions
};

// "fnv1a64:0123456789abcdef" of a file's content; nullopt when it cannot be read or is larger
// than `max_bytes`.
std::optional<std::string> hashFile(const std::filesystem::path& path, uint64_t max_bytes);

// RFC 3339 in UTC with milliseconds: "2026-12-03T22:10:00.123Z".
std::string auditTime(std::chrono::system_clock::time_point time);
// Reads auditTime's form (also without milliseconds, and a plain date "2026-12-03" as its
// midnight UTC); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parseAuditTime(std::string_view text);

}  // namespace hotpod
