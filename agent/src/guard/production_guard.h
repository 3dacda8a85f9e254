#pragma once
// Hot reload belongs to development. `hotpod run` and `hotpod agent` refuse to start where the
// environment says production, and `hotpod exec` refuses restart signals there; this file knows
// the signals (docs/security.md, "Hot reload and production").
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

// Where the signals are read from. Defaults are what a pod spec mounts; the variables move them.
struct ProductionSignals {
  std::optional<std::string> environment;              // $HOTPOD_ENVIRONMENT
  std::filesystem::path podinfo_dir = "/etc/podinfo";  // $HOTPOD_PODINFO_DIR: downward API files
  std::filesystem::path forbid_file = "/etc/hotpod/forbid";  // $HOTPOD_FORBID_FILE

  static ProductionSignals fromEnvironment();
};

struct ProductionVerdict {
  bool production = false;
  std::vector<std::string> reasons;  // each signal that said so, with where it was read
};

ProductionVerdict detectProduction(const ProductionSignals& signals);

// Whether a Kubernetes namespace name or a label value names production: "production",
// "prod", or either as a dash-separated part ("shop-prod", "prod-eu").
bool namesProduction(std::string_view value);

// Why `command` will not start, and how to override: one paragraph for stderr.
std::string productionRefusal(std::string_view command, const ProductionVerdict& verdict);

// The exit status of a refusal (distinct from configuration errors, 2).
inline constexpr int kRefusedInProduction = 3;

}  // namespace hotpod
