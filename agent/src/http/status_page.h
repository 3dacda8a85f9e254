#pragma once
// GET /: one self-contained HTML page (no external assets) that shows the loop's state, the
// last builds and their durations, a failed build's output, and follows /v1/events live. Its
// HTML, CSS and script are the files in http/status_page/, embedded at build time.
#include <string_view>

namespace hotpod {

std::string_view statusPageHtml();

}  // namespace hotpod
