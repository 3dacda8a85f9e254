#include "sync/tar_options.h"

#include <string_view>

namespace hotpod {
namespace {

void setMode(TarOptions& options, TarMode mode, std::string_view spelled) {
  if (options.mode != TarMode::None && options.mode != mode) {
    throw TarUsageError("you may not specify more than one of -x, -c and -t (" +
                        std::string(spelled) + ")");
  }
  options.mode = mode;
}

[[noreturn]] void refuse(std::string_view option) {
  throw TarUsageError("option '" + std::string(option) + "' is not supported by hotpod's tar; " +
                      tarUsage());
}

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& args) : args_(args) {}

  TarOptions parse() {
    // GNU tar's traditional form: a first word without a dash is a cluster of letters whose
    // arguments follow in order (`tar xmf - -C /`).
    if (!args_.empty() && !args_[0].empty() && args_[0][0] != '-') {
      next_ = 1;
      for (char letter : args_[0])
        shortOption(letter, [this, letter] { return takeNext(std::string(1, letter)); });
    }
    bool operands_only = false;
    while (next_ < args_.size()) {
      const std::string& arg = args_[next_++];
      if (operands_only || arg == "-" || arg.empty() || arg[0] != '-') {
        operand(arg);
      } else if (arg == "--") {
        operands_only = true;
      } else if (arg.starts_with("--")) {
        longOption(arg);
      } else {
        shortCluster(arg);
      }
    }
    if (options_.mode == TarMode::None) {
      throw TarUsageError("you must specify one of -x, -c or -t; " + tarUsage());
    }
    if (options_.mode == TarMode::Create && options_.members.empty()) {
      throw TarUsageError("cowardly refusing to create an empty archive (name the files)");
    }
    if (options_.mode != TarMode::Create && !options_.members.empty()) {
      throw TarUsageError("selecting members ('" + options_.members.front().name +
                          "') is not supported by hotpod's tar; extract the whole archive");
    }
    return options_;
  }

 private:
  std::string takeNext(const std::string& option) {
    if (next_ >= args_.size()) {
      throw TarUsageError("option '" + option + "' requires an argument");
    }
    return args_[next_++];
  }

  void operand(const std::string& arg) { options_.members.push_back({directory_, arg}); }

  void directory(const std::string& dir) {
    directory_ = dir;
    options_.directory = dir;
  }

  template <typename TakeArgument>
  void shortOption(char letter, TakeArgument take) {
    switch (letter) {
      case 'x':
        return setMode(options_, TarMode::Extract, "-x");
      case 'c':
        return setMode(options_, TarMode::Create, "-c");
      case 't':
        return setMode(options_, TarMode::List, "-t");
      case 'f':
        options_.file = take();
        return;
      case 'C':
        return directory(take());
      case 'v':
        ++options_.verbose;
        return;
      case 'z':
        options_.gzip = true;
        return;
      case 'm':
        options_.touch = true;
        return;
      case 'o':
        options_.no_same_owner = true;
        return;
      case 'p':
        options_.same_permissions = true;
        return;
      default:
        refuse(std::string("-") + letter);
    }
  }

  void shortCluster(const std::string& arg) {
    for (size_t i = 1; i < arg.size(); ++i) {
      const char letter = arg[i];
      bool rest_taken = false;
      shortOption(letter, [&] {
        rest_taken = true;
        if (i + 1 < arg.size()) return arg.substr(i + 1);  // -C/dir, -f-
        return takeNext(std::string("-") + letter);
      });
      if (rest_taken) return;
    }
  }

  void longOption(const std::string& arg) {
    const auto equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const bool has_value = equals != std::string::npos;
    const auto value = [&] { return has_value ? arg.substr(equals + 1) : takeNext(name); };
    const auto flag = [&](bool& target) {
      if (has_value) throw TarUsageError("option '" + name + "' takes no argument");
      target = true;
    };
    if (name == "--extract" || name == "--get") return setMode(options_, TarMode::Extract, name);
    if (name == "--create") return setMode(options_, TarMode::Create, name);
    if (name == "--list") return setMode(options_, TarMode::List, name);
    if (name == "--file") {
      options_.file = value();
      return;
    }
    if (name == "--directory") return directory(value());
    if (name == "--verbose") {
      ++options_.verbose;
      return;
    }
    if (name == "--gzip" || name == "--gunzip" || name == "--ungzip") return flag(options_.gzip);
    if (name == "--touch") return flag(options_.touch);
    if (name == "--no-same-owner") return flag(options_.no_same_owner);
    if (name == "--same-owner") return flag(options_.same_owner);
    if (name == "--no-same-permissions") return flag(options_.no_same_permissions);
    if (name == "--same-permissions" || name == "--preserve-permissions") {
      return flag(options_.same_permissions);
    }
    refuse(name);
  }

  const std::vector<std::string>& args_;
  size_t next_ = 0;
  std::string directory_;
  TarOptions options_;
};

}  // namespace

TarOptions parseTarArguments(const std::vector<std::string>& args) {
  return Parser(args).parse();
}

std::string tarUsage() {
  return "hotpod's tar supports -x/-c/-t with -f FILE (- for stdin/stdout), -C DIR, -v, -z, -m, "
         "-o, -p, --no-same-owner, --same-owner, --no-same-permissions, --same-permissions "
         "(docs/cli.md, hotpod tar)";
}

}  // namespace hotpod
