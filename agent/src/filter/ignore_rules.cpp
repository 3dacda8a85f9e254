#include "filter/ignore_rules.h"

#include <cstring>
#include <system_error>

#include "base/files.h"
#include "base/log.h"
#include "filter/wildmatch.h"

// Parsing and matching follow git's dir.c (add_patterns_from_buffer, parse_path_pattern,
// match_basename, match_pathname) so that results agree with `git check-ignore`.

namespace hotpod {
namespace {

// git's trim_trailing_spaces(): drop trailing ' ' unless the first of them is escaped by '\'.
std::string_view trimTrailingSpaces(std::string_view line) {
  size_t keep = line.size();
  bool in_space_run = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ' ') {
      if (!in_space_run) keep = i;
      in_space_run = true;
      continue;
    }
    if (line[i] == '\\') {
      if (++i == line.size()) return line;  // a lone trailing '\' keeps everything
    }
    in_space_run = false;
  }
  return line.substr(0, in_space_run ? keep : line.size());
}

// Length of the leading part without glob specials (git's simple_length()).
size_t literalPrefixLength(std::string_view pattern) {
  const size_t special = pattern.find_first_of("*?[\\");
  return special == std::string_view::npos ? pattern.size() : special;
}

std::string baseDirPrefix(std::string_view base_dir) {
  while (!base_dir.empty() && base_dir.back() == '/') base_dir.remove_suffix(1);
  return base_dir.empty() ? std::string() : std::string(base_dir) + '/';
}

}  // namespace

IgnoreRules IgnoreRules::parse(std::string_view content, std::string_view base_dir) {
  IgnoreRules rules;
  rules.base_prefix_ = baseDirPrefix(base_dir);
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
  while (!content.empty()) {
    const size_t newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    rules.addLine(line);
  }
  return rules;
}

IgnoreRules IgnoreRules::fromLines(const std::vector<std::string>& lines,
                                   std::string_view base_dir) {
  IgnoreRules rules;
  rules.base_prefix_ = baseDirPrefix(base_dir);
  for (const std::string& line : lines) rules.addLine(line);
  return rules;
}

IgnoreRules IgnoreRules::load(const std::filesystem::path& file, std::string_view base_dir,
                              bool follow_symlinks) {
  // Only regular files: reading a FIFO named .gitignore would block the loop forever.
  std::error_code error;
  const auto status = follow_symlinks ? std::filesystem::status(file, error)
                                      : std::filesystem::symlink_status(file, error);
  if (error || !std::filesystem::is_regular_file(status)) return parse("", base_dir);
  try {
    return parse(readWholeFile(file).value_or(""), base_dir);
  } catch (const std::system_error& too_large) {
    // Like git with an oversized pattern file: warn and go on without its patterns.
    log::warn("ignore_file_too_large",
              std::string(too_large.what()) + "; its patterns are not used",
              {{"path", file.string()}});
    return parse("", base_dir);
  }
}

void IgnoreRules::addLine(std::string_view line) {
  line = line.substr(0, line.find('\0'));  // git reads patterns as C strings
  if (line.empty() || line.front() == '#') return;
  line = trimTrailingSpaces(line);
  Rule rule;
  if (line.starts_with('!')) {
    rule.negated = true;
    line.remove_prefix(1);
  }
  if (line.ends_with('/')) {
    rule.dir_only = true;
    line.remove_suffix(1);
  }
  if (line.empty()) return;  // "!", "/" and all-space lines match nothing
  rule.basename_only = line.find('/') == std::string_view::npos;
  rule.literal_prefix = literalPrefixLength(line);
  rule.pattern = std::string(line);
  rules_.push_back(std::move(rule));
}

bool IgnoreRules::matchesPathname(const Rule& rule, const char* path, size_t path_len) const {
  // The pattern is anchored at the base directory; a leading '/' only marks the anchoring.
  const char* pattern = rule.pattern.c_str();
  size_t pattern_len = rule.pattern.size();
  size_t prefix = rule.literal_prefix;
  if (*pattern == '/') {
    ++pattern;
    --pattern_len;
    --prefix;
  }
  const char* name = path + base_prefix_.size();
  size_t name_len = path_len - base_prefix_.size();
  // git compares the literal prefix before handing the rest to wildmatch. This is not only
  // an optimisation: wildmatch then sees "**" right after a literal as the start of the
  // pattern, exactly as git does (e.g. "foo**/bar" matches "foo/x/bar").
  if (prefix > 0) {
    if (prefix > name_len || std::strncmp(pattern, name, prefix) != 0) return false;
    pattern += prefix;
    pattern_len -= prefix;
    name += prefix;
    name_len -= prefix;
    if (pattern_len == 0 && name_len == 0) return true;
  }
  return wildmatch(pattern, name);
}

IgnoreVerdict IgnoreRules::match(const std::string& rel_path, bool is_dir) const {
  // Rules only speak about paths strictly below their directory.
  if (rel_path.size() <= base_prefix_.size() || !rel_path.starts_with(base_prefix_)) {
    return IgnoreVerdict::kNoMatch;
  }
  const size_t last_slash = rel_path.rfind('/');
  const char* basename = rel_path.c_str() + (last_slash == std::string::npos ? 0 : last_slash + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    const bool matched = it->basename_only
                             ? wildmatch(it->pattern.c_str(), basename)
                             : matchesPathname(*it, rel_path.c_str(), rel_path.size());
    if (matched) return it->negated ? IgnoreVerdict::kReincluded : IgnoreVerdict::kIgnored;
  }
  return IgnoreVerdict::kNoMatch;
}

}  // namespace hotpod
