#include "loop/watch_report.h"

#include <string>

#include "base/duration.h"
#include "base/log.h"

namespace hotpod {

void logWatching(const std::filesystem::path& root, const Watcher& watcher,
                 const WatchConfig& config, std::chrono::milliseconds took) {
  const auto stats = watcher.stats();
  log::info("watching",
            "watching " + root.string() + " with " + std::string(watcher.backend()) + " (" +
                std::to_string(stats.watched_directories) + " directories, " +
                std::to_string(stats.known_files) + " files, ready in " + formatDuration(took) +
                ")",
            {{"root", root.string()},
             {"backend", watcher.backend()},
             {"directories", static_cast<int64_t>(stats.watched_directories)},
             {"files", static_cast<int64_t>(stats.known_files)},
             {"delay_ms", static_cast<int64_t>(config.delay.count())},
             {"max_delay_ms", static_cast<int64_t>(config.max_delay.count())}});
}

}  // namespace hotpod
