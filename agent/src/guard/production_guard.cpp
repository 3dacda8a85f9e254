#include "guard/production_guard.h"

#include <cstdlib>
#include <sstream>

#include "base/files.h"
#include "base/text.h"

namespace hotpod {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> fromEnv(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

// The label keys that say which environment a pod belongs to.
bool isEnvironmentLabel(std::string_view key) {
  return key == "environment" || key == "env" || key == "app.kubernetes.io/environment" ||
         key == "hotpod.dev/environment";
}

// The downward API writes labels as `key="value"` lines.
void checkLabels(const fs::path& file, ProductionVerdict& verdict) {
  const auto text = readWholeFile(file);
  if (!text) return;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = trimmed(std::string_view(line).substr(0, equals));
    std::string value = trimmed(std::string_view(line).substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (isEnvironmentLabel(key) && namesProduction(value)) {
      verdict.reasons.push_back("the pod's label " + key + "=\"" + value + "\" (" + file.string() +
                                ")");
    }
  }
}

}  // namespace

ProductionSignals ProductionSignals::fromEnvironment() {
  ProductionSignals signals;
  signals.environment = fromEnv("HOTPOD_ENVIRONMENT");
  if (auto dir = fromEnv("HOTPOD_PODINFO_DIR")) signals.podinfo_dir = *dir;
  if (auto file = fromEnv("HOTPOD_FORBID_FILE")) signals.forbid_file = *file;
  return signals;
}

bool namesProduction(std::string_view value) {
  const std::string name = lowercase(trimmed(value));
  for (size_t start = 0; start <= name.size();) {
    const size_t dash = std::min(name.find('-', start), name.size());
    const std::string_view part = std::string_view(name).substr(start, dash - start);
    if (part == "production" || part == "prod") return true;
    start = dash + 1;
  }
  return false;
}

ProductionVerdict detectProduction(const ProductionSignals& signals) {
  ProductionVerdict verdict;
  if (signals.environment && namesProduction(*signals.environment)) {
    verdict.reasons.push_back("HOTPOD_ENVIRONMENT=" + *signals.environment);
  }
  if (auto ns = readWholeFile(signals.podinfo_dir / "namespace"); ns && namesProduction(*ns)) {
    verdict.reasons.push_back("the pod's namespace is '" + trimmed(*ns) + "' (" +
                              (signals.podinfo_dir / "namespace").string() + ")");
  }
  checkLabels(signals.podinfo_dir / "labels", verdict);
  std::error_code error;
  if (fs::exists(fs::symlink_status(signals.forbid_file, error))) {
    verdict.reasons.push_back("the marker file " + signals.forbid_file.string() + " exists");
  }
  verdict.production = !verdict.reasons.empty();
  return verdict;
}

std::string productionRefusal(std::string_view command, const ProductionVerdict& verdict) {
  return "refusing to start `hotpod " + std::string(command) + "`: this looks like production (" +
         joined(verdict.reasons, "; ") +
         "). Hot reload rebuilds and replaces code in place, which production must not do. If "
         "this is a development environment, remove that signal, or pass --allow-production "
         "(docs/security.md, \"Hot reload and production\")";
}

}  // namespace hotpod
