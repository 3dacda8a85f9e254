#pragma once
// The command lines sync tools run `tar` with (Skaffold, kubectl cp, Tilt, docker compose
// watch), parsed the way GNU tar parses them: the traditional bundled first word (`xmf`),
// short clusters (`-xmf -`), long options (`--no-same-owner`, `--file=-`). Anything else is
// refused by name: a silently ignored option would make a sync do something else than asked.
#include <stdexcept>
#include <string>
#include <vector>

namespace hotpod {

enum class TarMode { None, Extract, Create, List };

struct TarOptions {
  TarMode mode = TarMode::None;
  std::string file = "-";  // -f; "-" is stdin (extract, list) or stdout (create)
  std::string directory;   // -C for extract and list (the last one given)
  int verbose = 0;         // -v, repeatable
  bool gzip = false;       // -z
  bool touch = false;      // -m: do not restore modification times
  bool no_same_owner = false;
  bool no_same_permissions = false;
  bool same_permissions = false;  // -p
  bool same_owner = false;
  // Create: the members, each with the -C directory in force where it was named.
  struct Member {
    std::string directory;
    std::string name;
  };
  std::vector<Member> members;
};

// A usage error; the message names the option or word. `hotpod tar` exits 2 with it.
class TarUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the arguments after the program name. Throws TarUsageError.
TarOptions parseTarArguments(const std::vector<std::string>& args);

// The supported command lines, for --help and the refusal message.
std::string tarUsage();

}  // namespace hotpod
