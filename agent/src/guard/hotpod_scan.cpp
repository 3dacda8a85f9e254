#include "guard/hotpod_scan.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "base/text.h"
#include "model/config_error.h"

namespace hotpod {
namespace fs = std::filesystem;
namespace {

int lineOf(const YAML::Node& node) {
  return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

// A command or args value: a string, or a list of strings joined by spaces.
std::string commandText(const YAML::Node& node) {
  if (!node) return {};
  if (node.IsScalar()) return node.Scalar();
  std::string text;
  if (node.IsSequence()) {
    for (const auto& word : node) {
      if (word.IsScalar()) text += (text.empty() ? "" : " ") + word.Scalar();
    }
  }
  return text;
}

bool isDockerfileName(const std::string& name) {
  const std::string base = lowercase(fs::path(name).filename().string());
  return base == "dockerfile" || base == "containerfile" || base.starts_with("dockerfile.") ||
         base.ends_with(".dockerfile") || base.ends_with(".containerfile");
}

class YamlScan {
 public:
  explicit YamlScan(std::string file) : file_(std::move(file)) {}

  void document(const YAML::Node& doc) {
    if (!doc.IsMap()) return;
    if (doc["kind"] && doc["kind"].IsScalar()) return kubernetesObject(doc);
    if (doc["services"] && doc["services"].IsMap()) return compose(doc["services"]);
  }
  std::vector<ScanFinding> findings;

 private:
  void add(const YAML::Node& at, std::string what) {
    findings.push_back({file_, lineOf(at), std::move(what)});
  }

  void kubernetesObject(const YAML::Node& object) {
    const std::string kind = object["kind"].Scalar();
    if (kind == "List" && object["items"] && object["items"].IsSequence()) {
      for (const auto& item : object["items"]) document(item);
      return;
    }
    YAML::Node spec = object["spec"];
    if (!spec || !spec.IsMap()) return;
    if (kind == "CronJob" && spec["jobTemplate"]) spec = spec["jobTemplate"]["spec"];
    if (kind != "Pod" && spec && spec["template"]) spec = spec["template"]["spec"];
    if (spec && spec.IsMap()) podSpec(spec, kind);
  }

  void podSpec(const YAML::Node& spec, const std::string& kind) {
    bool has_hotpod = false;
    for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
      const YAML::Node containers = spec[list];
      if (!containers || !containers.IsSequence()) continue;
      for (const auto& container : containers) {
        const std::string name =
            container["name"] && container["name"].IsScalar() ? container["name"].Scalar() : "?";
        const std::string where = kind + " container '" + name + "'";
        if (container["image"] && container["image"].IsScalar() &&
            isHotpodImage(container["image"].Scalar())) {
          add(container["image"], where + " uses the hotpod image " + container["image"].Scalar());
          has_hotpod = true;
        }
        const std::string line =
            commandText(container["command"]) + " " + commandText(container["args"]);
        if (runsHotpod(line)) {
          add(container["command"] ? container["command"] : container["args"],
              where + " runs `" + trimmed(line) + "`");
          has_hotpod = true;
        }
      }
    }
    const YAML::Node shared = spec["shareProcessNamespace"];
    if (has_hotpod && shared && shared.IsScalar() && shared.Scalar() == "true") {
      add(shared, kind + " shares its process namespace with a hotpod container");
    }
  }

  void compose(const YAML::Node& services) {
    for (const auto& entry : services) {
      const std::string where = "compose service '" + entry.first.Scalar() + "'";
      const YAML::Node service = entry.second;
      if (!service.IsMap()) continue;
      if (service["image"] && service["image"].IsScalar() &&
          isHotpodImage(service["image"].Scalar())) {
        add(service["image"], where + " uses the hotpod image " + service["image"].Scalar());
      }
      for (const char* key : {"entrypoint", "command"}) {
        const std::string line = commandText(service[key]);
        if (runsHotpod(line)) add(service[key], where + " runs `" + line + "`");
      }
    }
  }

  std::string file_;
};

std::vector<ScanFinding> scanDockerfile(std::string_view text, const std::string& file) {
  static const std::regex from(R"(^\s*FROM\s+(--\S+\s+)*(\S+))", std::regex::icase);
  static const std::regex copy_from(R"(^\s*COPY\s+.*--from=(\S+))", std::regex::icase);
  static const std::regex run_form(R"(^\s*(ENTRYPOINT|CMD)\s+(.*)$)", std::regex::icase);
  std::vector<ScanFinding> findings;
  std::istringstream lines{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    const int first = ++number;
    // A backslash at the end continues the instruction on the next line.
    for (std::string next; !line.empty() && line.back() == '\\' && std::getline(lines, next);) {
      line.pop_back();
      line += " " + next;
      ++number;
    }
    std::smatch match;
    if (std::regex_search(line, match, from) && isHotpodImage(match[2].str())) {
      findings.push_back({file, first, "FROM the hotpod image " + match[2].str()});
    } else if (std::regex_search(line, match, copy_from) && isHotpodImage(match[1].str())) {
      findings.push_back({file, first, "COPY --from=" + match[1].str() + " (the hotpod image)"});
    } else if (std::regex_search(line, match, run_form) && runsHotpod(match[2].str())) {
      findings.push_back(
          {file, first, match[1].str() + " runs hotpod: " + trimmed(match[2].str())});
    }
  }
  return findings;
}

}  // namespace

bool runsHotpod(std::string_view command_line) {
  // "hotpod exec", "/usr/local/bin/hotpod agent -c x", "[\"hotpod\", \"exec\"", "sh -c 'hotpod
  // run'"
  static const std::regex hotpod(R"((^|[\s/"'\[,])hotpod["']?\s*,?\s*["']?(agent|exec|run)\b)");
  return std::regex_search(std::string(command_line), hotpod);
}

bool isHotpodImage(std::string_view image) {
  std::string_view name = image;
  if (auto at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  return lowercase(name).starts_with("hotpod");
}

std::vector<ScanFinding> scanForHotpod(std::string_view text, const std::string& name) {
  if (isDockerfileName(name)) return scanDockerfile(text, name);
  YamlScan scan(name);
  try {
    for (const auto& doc : YAML::LoadAll(std::string(text))) scan.document(doc);
  } catch (const YAML::Exception& error) {
    const bool known = error.mark.line >= 0;
    throw ConfigError(name, known ? error.mark.line + 1 : 0, known ? error.mark.column + 1 : 0, "",
                      "not YAML: " + error.msg, "--forbid-in reads YAML files and Dockerfiles");
  }
  return scan.findings;
}

std::vector<fs::path> scannableFiles(const fs::path& path) {
  const auto wanted = [](const fs::path& file) {
    const std::string ext = file.extension().string();
    return ext == ".yaml" || ext == ".yml" || isDockerfileName(file.filename().string());
  };
  if (!fs::is_directory(path)) return {path};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string base = it->path().filename().string();
    if (it->is_directory() && (base == ".git" || base == "node_modules")) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file() && wanted(it->path())) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace hotpod
