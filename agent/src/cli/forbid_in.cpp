// `hotpod check --forbid-in PATH…`: the CI step that keeps hot reload out of production.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <tuple>

#include "base/files.h"
#include "cli/options.h"
#include "guard/hotpod_scan.h"
#include "model/config_error.h"

namespace hotpod {
int forbidInCommand(const std::vector<std::string>& paths) {
  std::vector<ScanFinding> findings;
  size_t files = 0;
  for (const auto& path : paths) {
    if (path == "-") {  // kustomize or helm output piped in
      const std::string text(std::istreambuf_iterator<char>(std::cin), {});
      const auto found = scanForHotpod(text, "<stdin>");
      findings.insert(findings.end(), found.begin(), found.end());
      ++files;
      continue;
    }
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      throw ConfigError(path, 0, 0, "--forbid-in", "no such file or directory",
                        "name the manifests, compose files or Dockerfiles to check");
    }
    for (const auto& file : scannableFiles(path)) {
      const auto text = readWholeFile(file);
      if (!text) {
        throw ConfigError(file.string(), 0, 0, "--forbid-in", "cannot read the file",
                          "check its permissions");
      }
      const auto found = scanForHotpod(*text, file.string());
      findings.insert(findings.end(), found.begin(), found.end());
      ++files;
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  for (const auto& finding : findings) {
    std::cout << finding.file << ":" << finding.line << ": " << finding.what << "\n";
  }
  if (!findings.empty()) {
    std::cerr << "hotpod: " << findings.size() << " place(s) would bring hot reload into "
              << "production (" << files << " file(s) checked); docs/security.md, "
              << "\"Hot reload and production\"\n";
    return 1;
  }
  std::cout << "no hotpod in " << files << " file(s)\n";
  return 0;
}

}  // namespace hotpod
