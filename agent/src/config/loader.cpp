#include "config/loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/duration.h"
#include "base/files.h"
#include "base/signals.h"
#include "config/audit_reader.h"
#include "config/list_readers.h"
#include "config/observe_reader.h"
#include "config/proxy_reader.h"
#include "config/rule_reader.h"
#include "config/services_reader.h"
#include "config/single_document.h"
#include "config/target_reader.h"
#include "config/yaml_reader.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

// "5%" or 0.05: a share of one CPU core, above 0 and at most 100%.
double readShareOfCore(const YamlReader& reader, const YamlField& field) {
  const std::string text = reader.readString(field, "5%");
  const bool percent = !text.empty() && text.back() == '%';
  double value = 0;
  try {
    size_t used = 0;
    value = std::stod(percent ? text.substr(0, text.size() - 1) : text, &used);
    if (used != text.size() - (percent ? 1 : 0)) value = -1;
  } catch (const std::exception&) {
    value = -1;
  }
  if (percent) value /= 100;
  if (!(value > 0 && value <= 1)) {
    reader.fail(field, "invalid share of a CPU core '" + text + "'",
                "write a percentage like 5% (or 0.05), above 0 and at most 100%");
  }
  return value;
}

// Directory names (any depth) or root-relative paths (with a '/': "./vendor" is only the root's
// vendor); a trailing '/' is dropped.
std::vector<std::string> readExcludedDirs(const YamlReader& reader, const YamlField& field) {
  std::vector<std::string> dirs;
  for (const auto& item : reader.readStringList(field, "[vendor, tmp]", false)) {
    std::string_view dir = item.text;
    if (dir.starts_with('/')) {
      reader.failAt(item.node, field.key, "'" + item.text + "' is an absolute path",
                    "write it relative to root, e.g. build/out");
    }
    while (dir.ends_with('/')) dir.remove_suffix(1);
    if (dir.empty() || dir == "." || dir == "./") {
      reader.failAt(item.node, field.key, "'" + item.text + "' would exclude the whole root",
                    "name a directory below root, e.g. vendor");
    }
    dirs.emplace_back(dir);
  }
  return dirs;
}

void readWatch(const YamlReader& reader, const YamlField& section, WatchConfig& watch) {
  const YamlField* max_delay_field = nullptr;
  auto fields = reader.sectionFields(section, "watch");
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (name == "backend") {
      auto backend = reader.readChoice(field, {"auto", "inotify", "poll", "hybrid"});
      watch.backend = backend == "inotify"  ? WatchBackend::Inotify
                      : backend == "poll"   ? WatchBackend::Poll
                      : backend == "hybrid" ? WatchBackend::Hybrid
                                            : WatchBackend::Auto;
    } else if (name == "poll_interval" || name == "verify_interval") {
      Duration interval = reader.readDuration(field);
      // 0 would make the poller spin.
      if (interval <= Duration{0}) reader.fail(field, "must be longer than 0", "e.g. 500ms");
      (name == "poll_interval" ? watch.poll_interval : watch.verify_interval) = interval;
    } else if (name == "poll_budget") {
      watch.poll_budget = readShareOfCore(reader, field);
    } else if (name == "include_ext") {
      watch.include_ext = readExtensions(reader, field);
    } else if (name == "include") {
      watch.include = readTexts(reader, field, "['src/**', '*.go']");
    } else if (name == "exclude") {
      watch.exclude = readTexts(reader, field, "['**/*_test.go', tmp/]");
    } else if (name == "exclude_dir") {
      watch.exclude_dir = readExcludedDirs(reader, field);
    } else if (name == "gitignore") {
      watch.gitignore = reader.readBool(field);
    } else if (name == "delay") {
      watch.delay = reader.readDuration(field);
    } else if (name == "max_delay") {
      watch.max_delay = reader.readDuration(field);
      max_delay_field = &field;
    }
  }
  if (max_delay_field && watch.max_delay < watch.delay) {
    reader.fail(*max_delay_field,
                "max_delay is shorter than delay (" + formatDuration(watch.delay) + ")",
                "make it at least " + formatDuration(watch.delay) + ", or shorten watch.delay");
  }
  // Only delay was set, beyond the default cap: the cap follows rather than failing on a key
  // the user never wrote.
  if (!max_delay_field && watch.max_delay < watch.delay) watch.max_delay = watch.delay;
}

std::map<std::string, std::string> readEnv(const YamlReader& reader, const YamlField& section) {
  std::map<std::string, std::string> env;
  for (const auto& field : reader.mapFields(section, "{CGO_ENABLED: '0'}")) {
    const std::string& name = field.key_node.Scalar();
    if (name.find('=') != std::string::npos) {
      reader.failAt(field.key_node, field.key, "a variable name cannot contain '='",
                    "write NAME: value");
    }
    if (!field.value.IsNull() && !field.value.IsScalar()) {
      reader.fail(field,
                  "expected a string, number or boolean, got " + describeNodeType(field.value),
                  "quote it to keep it as text, e.g. " + name + ": '[a, b]'");
    }
    env[name] = field.value.IsNull() ? std::string() : field.value.Scalar();
  }
  return env;
}

// Build outputs, relative to root and inside it.
std::vector<std::string> readArtifacts(const YamlReader& reader, const YamlField& field) {
  std::vector<std::string> paths;
  for (const auto& item : reader.readStringList(field, "[bin/app]", false)) {
    std::filesystem::path path = std::filesystem::path(item.text).lexically_normal();
    if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();  // "static/"
    if (path.is_absolute() || path.empty() || *path.begin() == ".." || path == ".") {
      reader.failAt(item.node, field.key, "'" + item.text + "' is not a path inside root",
                    "write it relative to root, e.g. bin/app");
    }
    paths.push_back(path.generic_string());
  }
  return paths;
}

void readBuild(const YamlReader& reader, const YamlField& section, BuildConfig& build) {
  for (const auto& field : reader.sectionFields(section, "build")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "cmd") {
      if (field.value.IsSequence()) {
        // The build always runs through /bin/sh -c, so a list would only hide that.
        std::vector<std::string> words;
        for (const auto& item : reader.readStringList(field, "go build .", false)) {
          words.push_back(item.text);
        }
        reader.fail(field, "expected a string; the build runs through /bin/sh -c",
                    "write it as one line, e.g. cmd: " + Command::direct(words).display());
      }
      build.cmd = reader.readString(field, "go build -o .hotpod/bin/app .");
    } else if (name == "timeout") {
      build.timeout = reader.readDuration(field);
    } else if (name == "on_busy") {
      build.on_busy = reader.readChoice(field, {"restart", "queue"}) == "queue" ? OnBusy::Queue
                                                                                : OnBusy::Restart;
    } else if (name == "env") {
      build.env = readEnv(reader, field);
    } else if (name == "artifacts") {
      build.artifacts = readArtifacts(reader, field);
    } else if (name == "parallel") {
      build.parallel = readParallel(reader, field);
    }
  }
}

// A string runs through /bin/sh -c; a list is exec'd as is.
Command readCommand(const YamlReader& reader, const YamlField& field) {
  if (field.value.IsNull()) return {};
  if (field.value.IsMap()) {
    reader.fail(field,
                "expected a string (run through /bin/sh -c) or a list (run directly), got a map",
                "e.g. cmd: ./app --port 8080, or cmd: [./app, --port, '8080']");
  }
  if (field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    if (text.find_first_not_of(" \t\n") == std::string::npos) return {};
    return Command::shell(text);
  }
  auto argv = readTexts(reader, field, "[./app, --port, '8080']");
  return argv.empty() ? Command{} : Command::direct(std::move(argv));
}

void readRun(const YamlReader& reader, const YamlField& section, RunConfig& run) {
  for (const auto& field : reader.sectionFields(section, "run")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "cmd") {
      run.cmd = readCommand(reader, field);
    } else if (name == "stop_signal") {
      run.stop_signal = reader.readSignal(field);
      if (run.stop_signal == SIGKILL || run.stop_signal == SIGSTOP || run.stop_signal == SIGCHLD) {
        reader.fail(field, signalName(run.stop_signal) + " does not ask the app to stop",
                    "use SIGTERM (the default), SIGINT or SIGQUIT: SIGKILL follows anyway after "
                    "run.stop_timeout");
      }
    } else if (name == "stop_timeout") {
      run.stop_timeout = reader.readDuration(field);
    } else if (name == "restart_on_crash") {
      run.restart_on_crash = reader.readBool(field);
    }
  }
}

void readLog(const YamlReader& reader, const YamlField& section, LogConfig& log) {
  for (const auto& field : reader.sectionFields(section, "log")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "format") {
      log.format =
          reader.readChoice(field, {"text", "json"}) == "json" ? LogFormat::Json : LogFormat::Text;
    } else if (name == "level") {
      log.level = reader.readChoice(field, {"trace", "debug", "info", "warn", "error", "off"});
    }
  }
}

// A relative root is taken from the config file's directory, so `hotpod -c sub/hotpod.yaml`
// watches sub/ no matter where it was started.
std::filesystem::path resolveRoot(const std::filesystem::path& root, const std::string& file_name) {
  std::filesystem::path resolved = root;
  if (resolved.is_relative()) resolved = std::filesystem::path(file_name).parent_path() / root;
  resolved = resolved.lexically_normal();
  if (resolved.has_relative_path() && !resolved.has_filename()) resolved = resolved.parent_path();
  return resolved.empty() ? std::filesystem::path(".") : resolved;
}

// yaml-cpp's messages name the symptom; say what usually causes it.
std::string syntaxHint(const std::string& message, std::string_view yaml, int line_index) {
  std::string_view line = yaml;
  for (int i = 0; i < line_index && !line.empty(); ++i) {
    auto newline = line.find('\n');
    line = newline == std::string_view::npos ? std::string_view{} : line.substr(newline + 1);
  }
  line = line.substr(0, line.find('\n'));
  std::string_view indent = line.substr(0, line.find_first_not_of(" \t"));
  if (indent.find('\t') != std::string_view::npos) return "indent with spaces; YAML forbids tabs";
  if (message.find("anchor") != std::string::npos) {
    return "a value starting with '*' must be quoted, e.g. '*.go'";
  }
  if (message.find("sequence flow") != std::string::npos) return "a '[' is missing its ']'";
  if (message.find("map flow") != std::string::npos) return "a '{' is missing its '}'";
  if (message.find("EOF in scalar") != std::string::npos ||
      message.find("quote") != std::string::npos) {
    return "a quoted value is missing its closing quote";
  }
  if (message.find("map value") != std::string::npos) {
    return "quote values that contain ': ', and indent keys consistently";
  }
  return "check the indentation and quoting here";
}

// "target.match.exe" and V → {target: {match: {exe: V}}}.
YAML::Node nestedDocument(std::string_view dotted_key, const YAML::Node& value) {
  YAML::Node level;
  const auto dot = dotted_key.find('.');
  if (dot == std::string_view::npos) {
    level[std::string(dotted_key)] = value;
  } else {
    level[std::string(dotted_key.substr(0, dot))] =
        nestedDocument(dotted_key.substr(dot + 1), value);
  }
  return level;
}

// Reads every section present in `top` over what `config` already holds. `section` is "" for
// the document, "service" for one entry of `services:` (its paths and dir are read there).
void readDocument(const YamlReader& reader, const YAML::Node& document, Config& config,
                  std::string_view section = "", const YamlField* service = nullptr) {
  const YamlField top = service ? *service : YamlField{"", document, document};
  const YamlField* services = nullptr;
  const auto fields = reader.sectionFields(top, section);
  // With services, the top-level proxy keys are only their defaults: each service has its own.
  const bool has_services = std::any_of(fields.begin(), fields.end(), [](const YamlField& field) {
    return field.key_node.Scalar() == "services" && !field.value.IsNull();
  });
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (name == "services") {
      services = &field;  // after every top-level key: they are its defaults
    } else if (name == "root") {
      if (field.value.IsNull())
        reader.fail(field, "missing value", "use '.' for the config file's directory");
      std::string root = reader.readString(field, "src");
      if (root.empty()) reader.fail(field, "empty root", "use '.' for the config file's directory");
      config.root = root;
    } else if (name == "watch") {
      readWatch(reader, field, config.watch);
    } else if (name == "build") {
      readBuild(reader, field, config.build);
    } else if (name == "run") {
      readRun(reader, field, config.run);
    } else if (name == "log") {
      readLog(reader, field, config.log);
    } else if (name == "http") {
      readHttp(reader, field, config.http);
    } else if (name == "app") {
      readApp(reader, field, config.app);
    } else if (name == "notify") {
      readNotify(reader, field, config.notify);
    } else if (name == "audit") {
      readAudit(reader, field, config.audit);
    } else if (name == "target") {
      readTarget(reader, field, config.target);
    } else if (name == "proxy") {
      readProxy(reader, field, config.proxy, !has_services);
    } else if (name == "rules") {
      config.rules = readRules(reader, field);
    }
  }
  if (services) {
    config.services = readServices(
        reader, *services, config, [&reader](const YamlField& service, Config& service_config) {
          readDocument(reader, service.value, service_config, "service", &service);
        });
  }
}

}  // namespace

Config parseConfigText(std::string_view yaml, const std::string& file_name) {
  YAML::Node document;
  try {
    document = YAML::Load(std::string(yaml));
    refuseSecondDocument(yaml, file_name);
  } catch (const YAML::Exception& error) {
    bool known = error.mark.line >= 0;
    throw ConfigError(file_name, known ? error.mark.line + 1 : 0, known ? error.mark.column + 1 : 0,
                      "", "invalid YAML: " + error.msg,
                      syntaxHint(error.msg, yaml, error.mark.line));
  }

  Config config;
  config.source = file_name;
  readDocument(YamlReader(file_name), document, config);
  config.root = resolveRoot(config.root, file_name);
  if (config.audit.path.is_relative() && !config.audit.path.empty()) {
    config.audit.path = std::filesystem::absolute(std::filesystem::path(file_name).parent_path() /
                                                  config.audit.path)
                            .lexically_normal();
  }
  return config;
}

Config loadConfigFile(const std::filesystem::path& path) {
  const std::string name = path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) {
      throw ConfigError(name, 0, 0, "", "config file not found",
                        "create one with 'hotpod init', or name an existing file");
    }
    throw ConfigError(name, 0, 0, "",
                      std::string("cannot open config file: ") + std::strerror(error),
                      error == EACCES ? "make it readable for this user" : "check the path");
  }
  std::string text;
  char buffer[8192];
  while (true) {
    ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      throw ConfigError(
          name, 0, 0, "", std::string("cannot read config file: ") + std::strerror(error),
          error == EISDIR ? "name the YAML file, e.g. " + (path / "hotpod.yaml").string()
                          : "check that it is a regular file");
    }
    text.append(buffer, static_cast<size_t>(count));
    if (text.size() > kMaxReadBytes) {  // /dev/zero, or a log named by mistake
      ::close(fd);
      throw ConfigError(name, 0, 0, "",
                        "config file is larger than " + describeByteLimit(kMaxReadBytes) +
                            ", the most hotpod reads",
                        "name the hotpod.yaml you meant; a config is a few KiB");
    }
  }
  ::close(fd);
  return parseConfigText(text, name);
}

void applySetting(Config& config, std::string_view key, const std::vector<std::string>& values,
                  bool as_list, const std::string& origin) {
  // The setting becomes a one-key document read by the file's own readers, so a flag is
  // validated, normalised and explained exactly like the same key in hotpod.yaml.
  YAML::Node value;
  if (as_list) {
    for (const auto& item : values) value.push_back(item);
  } else {
    value = values.empty() ? std::string() : values.front();
  }
  readDocument(YamlReader(origin), nestedDocument(key, value), config);
}

}  // namespace hotpod
