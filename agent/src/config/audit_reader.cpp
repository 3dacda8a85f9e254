#include "config/audit_reader.h"

#include <cctype>

#include "base/text.h"

namespace hotpod {
namespace {

constexpr uint64_t kMinAuditSize = 4096;  // room for a few records; smaller would rotate always
constexpr int kMaxKeep = 99;

}  // namespace

std::optional<uint64_t> parseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  const uint64_t number = std::stoull(std::string(text.substr(0, digits)));
  const std::string unit = lowercase(trimmed(text.substr(digits)));
  static const struct {
    const char* name;
    uint64_t factor;
  } units[] = {{"", 1},           {"b", 1},           {"k", 1000},        {"kb", 1000},
               {"kib", 1 << 10},  {"m", 1000000},     {"mb", 1000000},    {"mib", 1 << 20},
               {"g", 1000000000}, {"gb", 1000000000}, {"gib", 1ULL << 30}};
  for (const auto& candidate : units) {
    if (unit == candidate.name) return number * candidate.factor;
  }
  return std::nullopt;
}

void readAudit(const YamlReader& reader, const YamlField& section, AuditConfig& audit) {
  for (const auto& field : reader.sectionFields(section, "audit")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "path") {
      audit.path = reader.readString(field, "/var/log/hotpod/audit.jsonl");
    } else if (name == "max_size") {
      const std::string text = reader.readString(field, "10MiB");
      const auto size = parseByteSize(text);
      if (!size || *size < kMinAuditSize) {
        reader.fail(field, "invalid size '" + text + "'",
                    "write bytes with a unit, at least 4KiB, e.g. 10MiB or 500KB");
      }
      audit.max_size = *size;
    } else if (name == "keep") {
      const std::string text = reader.readString(field, "5");
      if (text.empty() || text.size() > 2 ||
          text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
          std::stoi(text) > kMaxKeep) {
        reader.fail(field, "expected a number of rotated files from 1 to 99, got '" + text + "'",
                    "e.g. keep: 5");
      }
      audit.keep = std::stoi(text);
    }
  }
}

std::string auditSectionYaml() {
  const AuditConfig audit;
  return "\naudit:\n"
         "  # One JSON line per build, restart, signal and rollback (what triggered it, the\n"
         "  # result, a hash of the version started), fsync'd; read it with `hotpod audit`.\n"
         "  # Relative to this file's directory. Default: \"\" (no audit log).\n"
         "  path: \"\"\n"
         "  # Rotated to path.1 … path.KEEP before a line would make it larger than max_size\n"
         "  # (defaults 10MiB and " +
         std::to_string(audit.keep) +
         ").\n"
         "  max_size: 10MiB\n"
         "  keep: " +
         std::to_string(audit.keep) + "\n";
}

}  // namespace hotpod
