#include "http/status_page.h"

#include <string>

#include "status_page_assets.h"  // generated from http/status_page/ by cmake/EmbedFiles.cmake

namespace hotpod {
namespace {

std::string replaced(std::string text, std::string_view marker, std::string_view with) {
  if (auto at = text.find(marker); at != std::string::npos) text.replace(at, marker.size(), with);
  return text;
}

}  // namespace

// Self-contained on purpose (no CDN, no separate asset requests): it must work offline, inside
// a pod behind a port-forward. The style and script are written into the page once.
std::string_view statusPageHtml() {
  static const std::string page =
      replaced(replaced(std::string(embedded::kStatusHtml), "/*STYLE*/", embedded::kStatusCss),
               "/*SCRIPT*/", embedded::kStatusJs);
  return page;
}

}  // namespace hotpod
