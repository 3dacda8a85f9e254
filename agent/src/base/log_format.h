#pragma once
// How hotpod's own log lines are written: text (coloured on a TTY) or JSON lines.

namespace hotpod {

enum class LogFormat { Text, Json };

}  // namespace hotpod
