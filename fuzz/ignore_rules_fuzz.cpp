// The gitignore matcher: the first half of the input is a .gitignore, each line of the second
// half a path. Matching must never crash, hang or read out of bounds, and wildmatch must agree
// with itself on the same pattern.
#include "filter/ignore_rules.h"
#include "filter/wildmatch.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = hotpod::fuzz::asText(data, size);
  const auto split = text.find('\0');
  const std::string_view rules_text = text.substr(0, split);
  const std::string_view paths = split == std::string_view::npos ? "" : text.substr(split + 1);
  const auto rules = hotpod::IgnoreRules::parse(rules_text, "");
  const auto patterns = hotpod::fuzz::lines(rules_text);
  for (const auto path : hotpod::fuzz::lines(paths)) {
    if (path.empty() || path.size() > 4096) continue;
    const std::string rel(path);
    (void)rules.match(rel, false);
    (void)rules.match(rel, true);
    for (size_t i = 0; i < patterns.size() && i < 8; ++i) {
      if (hotpod::wildmatch(patterns[i], path) !=
          hotpod::wildmatch(std::string(patterns[i]).c_str(), rel.c_str())) {
        if (patterns[i].find('\0') == std::string_view::npos) __builtin_trap();
      }
    }
  }
  return 0;
}
