#pragma once
// The `watching` log record: what the watcher covers once it has started.
#include <chrono>
#include <filesystem>

#include "model/config.h"
#include "watch/watcher.h"

namespace hotpod {

void logWatching(const std::filesystem::path& root, const Watcher& watcher,
                 const WatchConfig& config, std::chrono::milliseconds took);

}  // namespace hotpod
