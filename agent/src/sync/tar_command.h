#pragma once
// hotpod tar: extract (-x), list (-t) and create (-c) archives with libarchive, for images whose
// only tar is hotpod (docs/cli.md, "hotpod tar").
#include <ostream>

#include "sync/tar_options.h"

namespace hotpod {

// Extraction is safe the way GNU tar's is: a leading '/' is removed, a member with '..' is
// skipped, nothing is written through a symlink the archive itself made, device nodes are not
// made, set-uid/set-gid bits are dropped; each message goes to `errors`. Regular files are
// written to a temporary file in their directory and renamed into place. A running hotpod loop
// whose root receives files is told (sync_socket.h). Returns the exit code: 0, or 2 after
// errors (the message names the member or the archive).
int extractArchive(const TarOptions& options, std::ostream& listing, std::ostream& errors);
int listArchive(const TarOptions& options, std::ostream& listing, std::ostream& errors);
int createArchive(const TarOptions& options, std::ostream& errors);

// `hotpod tar ARGS…` / a `tar` symlink: parses, runs, prints usage errors; the exit code.
int tarMain(const std::vector<std::string>& args);

}  // namespace hotpod
