#include "watch/backend_selection.h"

#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <sstream>

#include "base/duration.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "watch/composite_watcher.h"
#include "watch/inotify_advice.h"
#include "watch/poll_watcher.h"

namespace hotpod {
namespace {

struct KnownFilesystem {
  long magic;
  const char* name;
  FsKind kind;
};

// From linux/magic.h and the filesystems' own headers.
constexpr KnownFilesystem kFilesystems[] = {
    {0x6969, "nfs", FsKind::NeedsPolling},
    {0x517B, "smb", FsKind::NeedsPolling},
    {static_cast<long>(0xFF534D42), "cifs", FsKind::NeedsPolling},
    {static_cast<long>(0xFE534D42), "smb2", FsKind::NeedsPolling},
    {0x01021997, "9p", FsKind::NeedsPolling},
    {0x65735546, "fuse (incl. virtiofs, sshfs)", FsKind::PartialEvents},
    {0x786F4256, "vboxsf", FsKind::NeedsPolling},
    {0x5346414F, "afs", FsKind::NeedsPolling},
    {0x73757245, "coda", FsKind::NeedsPolling},
    {0x00C36400, "ceph", FsKind::NeedsPolling},
    {0x01161970, "gfs2", FsKind::NeedsPolling},
    {0x7461636F, "ocfs2", FsKind::NeedsPolling},
    {0x0BD00BD0, "lustre", FsKind::NeedsPolling},
    {0x794C7630, "overlay", FsKind::Overlay},
    {0xEF53, "ext4", FsKind::Local},
    {0x58465342, "xfs", FsKind::Local},
    {static_cast<long>(0x9123683E), "btrfs", FsKind::Local},
    {0x01021994, "tmpfs", FsKind::Local},
    {0x2FC12FC1, "zfs", FsKind::Local},
    {static_cast<long>(0xF2F52010), "f2fs", FsKind::Local},
    {0x4d44, "vfat", FsKind::Local},
    {0x5346544e, "ntfs", FsKind::Local},
    {0x9fa0, "proc", FsKind::Pseudo},
    {0x62656572, "sysfs", FsKind::Pseudo},
    {0x27e0eb, "cgroup", FsKind::Pseudo},
    {0x63677270, "cgroup2", FsKind::Pseudo},
    {0x64626720, "debugfs", FsKind::Pseudo},
    {0x74726163, "tracefs", FsKind::Pseudo},
    {0x73636673, "securityfs", FsKind::Pseudo},
    {static_cast<long>(0xcafe4a11), "bpf", FsKind::Pseudo},
    {0x6165676C, "pstore", FsKind::Pseudo},
    {0x62656570, "configfs", FsKind::Pseudo},
    {0x1cd1, "devpts", FsKind::Pseudo},
    {0x19800202, "mqueue", FsKind::Pseudo},
};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountPath(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A mount below an excluded directory is never reached, so it needs no backend.
bool reachable(const std::string& rel, const DirectoryPolicy& should_descend) {
  for (size_t slash = rel.find('/');; slash = rel.find('/', slash + 1)) {
    if (!should_descend(rel.substr(0, slash))) return false;
    if (slash == std::string::npos) return true;
  }
}

}  // namespace

FilesystemInfo describeMagic(long magic) {
  for (const auto& known : kFilesystems) {
    if (known.magic == magic) return {known.name, known.kind};
  }
  std::ostringstream hex;
  hex << "0x" << std::hex << magic;
  return {hex.str(), FsKind::Local};
}

FilesystemInfo describeFilesystem(const std::filesystem::path& path) {
  struct statfs info {};
  if (::statfs(path.c_str(), &info) != 0) {
    throw sys::error(errno, "statfs " + path.string(),
                     "check that the watch root exists and is readable");
  }
  return describeMagic(static_cast<long>(info.f_type));
}

std::vector<std::string> mountPointsBelow(const std::filesystem::path& root) {
  std::vector<std::string> below;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  const std::string prefix = root.string() + "/";
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, source, mount_point;
    fields >> id >> parent >> device >> source >> mount_point;
    const std::string path = unescapeMountPath(mount_point);
    if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0) {
      below.push_back(path.substr(prefix.size()));
    }
  }
  return below;
}

BackendPlan planBackend(const WatchConfig& config, const std::filesystem::path& root,
                        const DirectoryPolicy& should_descend) {
  requireWatchRoot(root);
  const FilesystemInfo root_fs = describeFilesystem(root);
  if (root_fs.kind == FsKind::Pseudo) {
    // inotify reports nothing there and a poll sees sizes of 0 and times that tick by themselves.
    throw std::system_error(EINVAL, std::generic_category(),
                            "watch root " + root.string() + " is on " + root_fs.name +
                                ", a pseudo file system the kernel makes up: no source tree to "
                                "watch there (point --root / root: at your sources)");
  }
  switch (config.backend) {
    case WatchBackend::Inotify:
      return {"inotify", {}, false, "backend inotify (as configured)", Duration{0}};
    case WatchBackend::Poll:
      return {"poll", {""}, false, "backend poll (as configured)", Duration{0}};
    case WatchBackend::Hybrid:
      return {"hybrid", {}, true, "backend hybrid (as configured)", Duration{0}};
    case WatchBackend::Auto:
      break;
  }
  if (root_fs.kind == FsKind::NeedsPolling) {
    return {"poll",
            {""},
            false,
            "backend auto → poll: " + root.string() + " is on " + root_fs.name +
                ", where changes made elsewhere produce no inotify event",
            Duration{0}};
  }
  if (const auto why = inotifyUnavailable()) {
    BackendPlan fallback{"poll",
                         {""},
                         false,
                         "backend auto → poll: inotify is not available here (" + *why + ")",
                         Duration{0}};
    fallback.inotify_failed = true;
    return fallback;
  }
  if (root_fs.kind == FsKind::Overlay) {
    return {"hybrid",
            {},
            true,
            "backend auto → hybrid: " + root.string() +
                " is on overlay, where changes to a lower layer produce no inotify event; "
                "inotify plus a verification scan every " +
                formatDuration(config.verify_interval),
            Duration{0}};
  }
  if (root_fs.kind == FsKind::PartialEvents) {
    return {"hybrid",
            {},
            true,
            "backend auto → hybrid: " + root.string() + " is on " + root_fs.name +
                ", where changes through the mount produce inotify events but changes made on "
                "the other side (the host) may not; inotify plus a verification scan every " +
                formatDuration(config.poll_interval),
            config.poll_interval};
  }
  BackendPlan plan{"inotify", {}, false, "", Duration{0}};
  std::string polled_text;
  for (const auto& mount : mountPointsBelow(root)) {
    if (!reachable(mount, should_descend)) continue;
    const auto fs = describeFilesystem(root / mount);
    // A FUSE mount below the root is polled: one inotify watcher verifies the whole tree or none.
    if (fs.kind != FsKind::NeedsPolling && fs.kind != FsKind::PartialEvents) continue;
    plan.polled.push_back(mount);
    polled_text += (polled_text.empty() ? "" : ", ") + mount + " (" + fs.name + ")";
  }
  if (plan.polled.empty()) {
    plan.reason = "backend auto → inotify: " + root.string() + " is on " + root_fs.name +
                  ", a local filesystem";
  } else {
    plan.name = "inotify+poll";
    plan.reason = "backend auto → inotify for " + root.string() + " (" + root_fs.name +
                  "), polling below " + polled_text +
                  ", where changes made elsewhere produce no inotify event";
  }
  return plan;
}

std::optional<std::string> inotifyUnavailable() {
  const int fd = sys::ops().inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return std::nullopt;
  }
  const int err = errno;
  return std::string("inotify_init1: ") + std::strerror(err) + ": " + inotifyInitAdvice(err);
}

std::unique_ptr<Watcher> makeWatcher(Reactor& reactor, const WatchConfig& config,
                                     const std::filesystem::path& root,
                                     DirectoryPolicy should_descend, EventSink sink) {
  const BackendPlan plan = planBackend(config, root, should_descend);
  if (plan.inotify_failed) {
    log::warn("backend_choice", plan.reason, {{"backend", plan.name}});
  } else {
    log::info("backend_choice", plan.reason, {{"backend", plan.name}});
  }
  InotifyOptions inotify{config.poll_interval, std::nullopt, config.poll_budget};
  if (plan.verify) {
    inotify.verify_interval =
        plan.verify_interval.count() > 0 ? plan.verify_interval : config.verify_interval;
  }
  const auto polling = [&](std::vector<std::string> subtrees) {
    return std::make_unique<PollWatcher>(reactor, root, std::move(subtrees), should_descend, sink,
                                         config.poll_interval, config.poll_budget);
  };
  if (plan.polled.size() == 1 && plan.polled.front().empty()) return polling({""});
  if (plan.polled.empty()) {
    return std::make_unique<InotifyWatcher>(reactor, root, should_descend, sink, inotify);
  }
  auto outside_polled = [should_descend, polled = plan.polled](const std::string& dir) {
    for (const auto& mount : polled) {
      if (dir == mount) return false;
    }
    return should_descend(dir);
  };
  std::vector<std::unique_ptr<Watcher>> parts;
  parts.push_back(std::make_unique<InotifyWatcher>(reactor, root, outside_polled, sink, inotify));
  parts.push_back(polling(plan.polled));
  return std::make_unique<CompositeWatcher>(std::move(parts));
}

}  // namespace hotpod
