#pragma once
// GET /: one self-contained HTML page (no external assets) that shows the loop's state, the
// last builds and their durations, a failed build's output, and follows /v1/events live.
#include <string_view>

namespace hotpod {

std::string_view statusPageHtml();

}  // namespace hotpod
