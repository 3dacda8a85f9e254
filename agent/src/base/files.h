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

// The same checks without any change (for hotpod check): a missing directory is fine, an
// existing one must be private already (a mode with read access for others is not narrowed).
void checkPrivateDirectory(const std::filesystem::path& dir);

// What hotpod reads whole (config, ignore and token files) is small; /dev/zero or a link to a
// huge sparse file must not eat the memory.
inline constexpr size_t kMaxReadBytes = size_t{1} << 20;

// The whole content of a file; nullopt when it cannot be opened (missing, unreadable). A file
// larger than `max_bytes` is not read to its end: throws std::system_error (EFBIG) naming the
// file and the limit.
std::optional<std::string> readWholeFile(const std::filesystem::path& path,
                                         size_t max_bytes = kMaxReadBytes);

// "1 MiB", "64 KiB", "100 bytes": a limit as messages state it.
std::string describeByteLimit(size_t bytes);

// Writes `contents` to `path` atomically with `mode`. Throws std::system_error naming the
// file; `advice` says what the user can do (e.g. which flag chooses another path). `path` must
// be a regular file or not exist: a device, FIFO, socket, directory or symlink is refused (and
// left as it is), never replaced. Durable::No skips the fsync: for a file that needs to outlive
// only this process, not the machine (a killed process's data stays in the page cache).
enum class Durable { Yes, No };
void replaceFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           mode_t mode = 0644, const std::string& advice = {},
                           Durable durable = Durable::Yes);

// Copies `from` over `to` atomically, with the permissions of `from` (a program replaced while
// it runs keeps running; the next start gets the whole new file).
void copyFileAtomically(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace hotpod
