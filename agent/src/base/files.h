#pragma once
// Where hotpod keeps files of its own, and how it replaces a file so that a reader never sees
// half of it: a temporary file next to it (mkostemp, mode set before any byte is written),
// fsync, rename. A crash leaves either the old file or the new one.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

// "a directory", "a named pipe (FIFO)", …: what a file that is not a regular one is, for messages.
const char* describeFileType(mode_t mode);

// $TMPDIR, else /tmp.
std::filesystem::path tempDirectory();
// $XDG_RUNTIME_DIR (private to the user, cleared at logout), else tempDirectory().
std::filesystem::path runtimeDirectory();

// Makes `dir` (its parent must exist) a directory private to this user, or checks that it is one:
// a real directory (not a symlink), owned by our effective UID, with no access for group or
// others (a directory of ours that others cannot write to is narrowed to 0700). Anything else,
// such as a directory another local user planted in /tmp, is refused: throws std::system_error
// saying what is wrong and to remove it. Returns `dir`.
const std::filesystem::path& privateDirectory(const std::filesystem::path& dir);

// The whole content of a file; nullopt when it cannot be opened (missing, unreadable).
std::optional<std::string> readWholeFile(const std::filesystem::path& path);

// Writes `contents` to `path` atomically with `mode`. Throws std::system_error naming the
// file; `advice` says what the user can do (e.g. which flag chooses another path). `path` must
// be a regular file or not exist: a device, FIFO, socket, directory or symlink is refused (and
// left as it is), never replaced.
void replaceFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           mode_t mode = 0644, const std::string& advice = {});

// Copies `from` over `to` atomically, with the permissions of `from` (a program replaced while
// it runs keeps running; the next start gets the whole new file).
void copyFileAtomically(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace hotpod
