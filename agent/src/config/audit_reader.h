#pragma once
// The audit section: where the audit log goes, how large a file may grow and how many rotated
// files are kept.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/yaml_reader.h"

namespace hotpod {

// A relative audit.path is taken from the config file's directory (by the loader).
void readAudit(const YamlReader& reader, const YamlField& section, AuditConfig& audit);

// "10MiB", "512KB", "1048576": bytes; nullopt when it is not a size.
std::optional<uint64_t> parseByteSize(std::string_view text);

// The audit section with every key, its default and a comment, for `hotpod init`.
std::string auditSectionYaml();

}  // namespace hotpod
