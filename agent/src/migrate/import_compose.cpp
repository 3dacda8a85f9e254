// `hotpod init --from-compose`: the develop.watch sections of a compose file as services and
// rules. hotpod runs where the files are, so compose's sync needs no copy: what a sync action
// asks of the app is what the rule does.
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "base/files.h"
#include "migrate/importers.h"
#include "migrate/yaml_quote.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

// "./web/" → "web"; "." → "" (the root).
std::string relative(std::string path) {
  while (path.starts_with("./")) path.erase(0, 2);
  while (path.ends_with('/')) path.pop_back();
  return path == "." ? std::string() : path;
}

std::string under(const std::string& base, const std::string& pattern) {
  std::string inner = relative(pattern);
  return base.empty() ? inner : base + "/" + inner;
}

std::vector<std::string> strings(const YAML::Node& node) {
  std::vector<std::string> items;
  if (node && node.IsScalar()) items.push_back(node.Scalar());
  if (node && node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar()) items.push_back(item.Scalar());
    }
  }
  return items;
}

// node[key], or an empty node (yaml-cpp throws on indexing a missing key's result).
YAML::Node child(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap() || !node[key]) return YAML::Node();
  return node[key];
}

std::string joinedCommand(const YAML::Node& node) {
  std::string text;
  for (const auto& word : strings(node)) text += (text.empty() ? "" : " ") + word;
  return text;
}

ImportResult convert(const std::string& content, const std::string& file_name) {
  YAML::Node doc;
  try {
    doc = YAML::Load(content);
  } catch (const YAML::Exception& error) {
    throw ConfigError(file_name, error.mark.line + 1, error.mark.column + 1, "",
                      "invalid YAML: " + error.msg, "check it with `docker compose config`");
  }
  if (!child(doc, "services").IsMap()) {
    throw ConfigError(file_name, 0, 0, "services", "no services in this compose file",
                      "name the compose file that defines them");
  }
  ImportResult result;
  std::ostringstream services;
  int converted = 0;
  for (const auto& entry : doc["services"]) {
    const std::string name = entry.first.Scalar();
    const YAML::Node watch = child(child(entry.second, "develop"), "watch");
    if (!watch || !watch.IsSequence()) {
      result.dropped.push_back(name + ": no develop.watch; not a hotpod service");
      continue;
    }
    std::vector<std::string> paths;
    std::ostringstream rules;
    for (size_t i = 0; i < watch.size(); ++i) {
      const YAML::Node item = watch[i];
      const std::string where = name + ".develop.watch[" + std::to_string(i) + "]";
      const std::string path = relative(item["path"] ? item["path"].Scalar() : ".");
      const std::string action = item["action"] ? item["action"].Scalar() : "";
      std::vector<std::string> match;
      for (const auto& include : strings(item["include"])) match.push_back(under(path, include));
      if (match.empty()) match.push_back(path.empty() ? "/*" : path);
      paths.insert(paths.end(), match.begin(), match.end());
      for (const auto& ignore : strings(item["ignore"])) paths.push_back("!" + under(path, ignore));
      if (item["target"]) {
        result.dropped.push_back(where + ".target (" + item["target"].Scalar() +
                                 "): hotpod works on the files where they are; run it where the "
                                 "app reads them, or sync with hotpod tar");
      }
      std::string rule;
      if (action == "rebuild") {
        rule = "action: build";
      } else if (action == "restart" || action == "sync+restart") {
        rule = "action: restart";
      } else if (action == "sync") {
        rule = "action: notify";
      } else if (action == "sync+exec") {
        const std::string command = joinedCommand(child(child(item, "exec"), "command"));
        if (command.empty()) {
          result.dropped.push_back(where + ": sync+exec without exec.command");
          continue;
        }
        rule = "run: " + yamlDoubleQuoted(command);
        const YAML::Node exec = child(item, "exec");
        if (child(exec, "user") || child(exec, "privileged") || child(exec, "environment")) {
          result.dropped.push_back(where +
                                   ".exec user/privileged/environment: the command runs "
                                   "as hotpod, with hotpod's environment");
        }
      } else {
        result.dropped.push_back(where + ": unknown action '" + action + "'");
        continue;
      }
      rules << "      - {match: " << yamlDoubleQuotedList(match) << ", " << rule << "}\n";
    }
    ++converted;
    services << "  " << name << ":\n    paths: " << yamlDoubleQuotedList(paths) << "\n";
    const std::string command = joinedCommand(child(entry.second, "command"));
    services
        << "    # build: {cmd: ...}   # compose rebuilt the image; say how to build in place\n";
    if (command.empty()) {
      services << "    # run: {cmd: ...}     # the image's entrypoint: say how to start it here\n";
    } else {
      services << "    run: {cmd: " << yamlDoubleQuoted(command) << "}\n";
    }
    services << "    rules:\n" << rules.str();
  }
  if (converted == 0) {
    throw ConfigError(file_name, 0, 0, "develop.watch", "no service has a develop.watch section",
                      "add one (docs.docker.com/compose/how-tos/file-watch/), or use hotpod init");
  }
  std::ostringstream out;
  out << "# hotpod configuration converted from " << file_name
      << " (develop.watch) by `hotpod init --from-compose`.\n"
         "# compose's sync copies files into the container; hotpod runs where the files are, so\n"
         "# sync → notify, sync+restart and restart → restart, rebuild → build, sync+exec → run.\n";
  for (const auto& note : result.dropped) out << "# not converted: " << note << "\n";
  out << "root: .\nservices:\n" << services.str();
  result.yaml = out.str();
  return result;
}

}  // namespace

ImportResult importComposeText(const std::string& content, const std::string& file_name) {
  try {
    return convert(content, file_name);
  } catch (const YAML::Exception& error) {  // a section of an unexpected shape
    throw ConfigError(file_name, error.mark.line + 1, error.mark.column + 1, "",
                      "unexpected compose file: " + error.msg,
                      "check it with `docker compose config`");
  }
}

ImportResult importCompose(const std::filesystem::path& compose_file) {
  const auto text = readWholeFile(compose_file);
  if (!text) {
    throw ConfigError(compose_file.string(), 0, 0, "", "cannot read the compose file",
                      "name an existing file, e.g. --from-compose compose.yaml");
  }
  return importComposeText(*text, compose_file.string());
}

}  // namespace hotpod
