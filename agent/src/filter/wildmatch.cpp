#include "filter/wildmatch.h"

#include <cstddef>
#include <cstring>
#include <string>

// Deliberately a close port of git's wildmatch.c (dowild), so that every corner case, including
// the ones only git's test suite documents, behaves the same as `git check-ignore`.

namespace hotpod {
namespace {

enum class Wild { kMatch, kNoMatch, kAbortAll, kAbortToStarStar };

// Locale-independent ASCII classes: git's own ctype ignores the locale too.
bool isLower(unsigned char c) {
  return c >= 'a' && c <= 'z';
}
bool isUpper(unsigned char c) {
  return c >= 'A' && c <= 'Z';
}
bool isDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool isAlpha(unsigned char c) {
  return isLower(c) || isUpper(c);
}
bool isAlnum(unsigned char c) {
  return isAlpha(c) || isDigit(c);
}
bool isSpace(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
bool isBlank(unsigned char c) {
  return c == ' ' || c == '\t';
}
bool isCntrl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}
bool isPrint(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}
bool isGraph(unsigned char c) {
  return c > 0x20 && c <= 0x7e;
}
bool isPunct(unsigned char c) {
  return isGraph(c) && !isAlnum(c);
}
bool isXdigit(unsigned char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isGlobSpecial(unsigned char c) {
  return c == '*' || c == '?' || c == '[' || c == '\\';
}

// Evaluates "[:name:]" against c. Returns false for an unknown class name.
bool classMatches(const unsigned char* name, size_t len, unsigned char c, bool* matched) {
  struct CharClass {
    std::string_view name;
    bool (*test)(unsigned char);
  };
  static constexpr CharClass kClasses[] = {
      {"alnum", isAlnum}, {"alpha", isAlpha}, {"blank", isBlank}, {"cntrl", isCntrl},
      {"digit", isDigit}, {"graph", isGraph}, {"lower", isLower}, {"print", isPrint},
      {"punct", isPunct}, {"space", isSpace}, {"upper", isUpper}, {"xdigit", isXdigit},
  };
  const std::string_view wanted(reinterpret_cast<const char*>(name), len);
  for (const CharClass& cls : kClasses) {
    if (cls.name != wanted) continue;
    if (cls.test(c)) *matched = true;
    return true;
  }
  return false;
}

// Matches a bracket expression starting just after '['. On return *p points at the closing ']'.
Wild matchBracket(const unsigned char*& p, unsigned char t_ch) {
  unsigned char p_ch = *++p;
  if (p_ch == '^') p_ch = '!';
  const bool negated = p_ch == '!';
  if (negated) p_ch = *++p;
  unsigned char prev_ch = 0;
  bool matched = false;
  do {
    if (!p_ch) return Wild::kAbortAll;
    if (p_ch == '\\') {
      p_ch = *++p;
      if (!p_ch) return Wild::kAbortAll;
      if (t_ch == p_ch) matched = true;
    } else if (p_ch == '-' && prev_ch && p[1] && p[1] != ']') {
      p_ch = *++p;
      if (p_ch == '\\') {
        p_ch = *++p;
        if (!p_ch) return Wild::kAbortAll;
      }
      if (t_ch <= p_ch && t_ch >= prev_ch) matched = true;
      p_ch = 0;  // a range cannot be the start of another range
    } else if (p_ch == '[' && p[1] == ':') {
      const unsigned char* name = p += 2;
      while ((p_ch = *p) && p_ch != ']') p++;
      if (!p_ch) return Wild::kAbortAll;
      const std::ptrdiff_t name_len = (p - name) - 1;
      if (name_len < 0 || p[-1] != ':') {
        // No ":]": the '[' was an ordinary member of the set.
        p = name - 2;
        p_ch = '[';
        if (t_ch == p_ch) matched = true;
        continue;
      }
      if (!classMatches(name, static_cast<size_t>(name_len), t_ch, &matched)) {
        return Wild::kAbortAll;  // malformed [:class:]
      }
      p_ch = 0;
    } else if (t_ch == p_ch) {
      matched = true;
    }
  } while (prev_ch = p_ch, (p_ch = *++p) != ']');
  if (matched == negated || t_ch == '/') return Wild::kNoMatch;
  return Wild::kMatch;
}

Wild doWild(const unsigned char* p, const unsigned char* text) {
  const unsigned char* const pattern = p;
  for (unsigned char p_ch; (p_ch = *p) != '\0'; text++, p++) {
    unsigned char t_ch = *text;
    if (t_ch == '\0' && p_ch != '*') return Wild::kAbortAll;
    switch (p_ch) {
      case '\\':
        // Literal match with the next character (a trailing '\' never matches).
        p_ch = *++p;
        [[fallthrough]];
      default:
        if (t_ch != p_ch) return Wild::kNoMatch;
        continue;
      case '?':
        if (t_ch == '/') return Wild::kNoMatch;
        continue;
      case '[': {
        const Wild bracket = matchBracket(p, t_ch);
        if (bracket != Wild::kMatch) return bracket;
        continue;
      }
      case '*':
        break;
    }

    bool match_slash = false;
    if (*++p == '*') {
      const unsigned char* prev_p = p - 2;
      while (*++p == '*') {
      }
      if ((prev_p < pattern || *prev_p == '/') &&
          (*p == '\0' || *p == '/' || (p[0] == '\\' && p[1] == '/'))) {
        // "**/" may match no directory at all: "foo/**/bar" matches "foo/bar".
        if (p[0] == '/' && doWild(p + 1, text) == Wild::kMatch) return Wild::kMatch;
        match_slash = true;
      }
    }
    if (*p == '\0') {
      // Trailing "**" matches everything; a trailing '*' only the rest of this component.
      if (!match_slash && std::strchr(reinterpret_cast<const char*>(text), '/')) {
        return Wild::kNoMatch;
      }
      return Wild::kMatch;
    }
    if (!match_slash && *p == '/') {
      // A single '*' followed by '/' consumes exactly one directory name.
      const char* slash = std::strchr(reinterpret_cast<const char*>(text), '/');
      if (!slash) return Wild::kNoMatch;
      text = reinterpret_cast<const unsigned char*>(slash);
      continue;  // the loop increment consumes the '/' of both sides
    }
    while (true) {
      if (t_ch == '\0') break;
      // Skip ahead to the next occurrence of a literal that follows the star.
      if (!isGlobSpecial(*p)) {
        p_ch = *p;
        while ((t_ch = *text) != '\0' && (match_slash || t_ch != '/')) {
          if (t_ch == p_ch) break;
          text++;
        }
        if (t_ch != p_ch) return Wild::kNoMatch;
      }
      const Wild matched = doWild(p, text);
      if (matched != Wild::kNoMatch) {
        if (!match_slash || matched != Wild::kAbortToStarStar) return matched;
      } else if (!match_slash && t_ch == '/') {
        return Wild::kAbortToStarStar;
      }
      t_ch = *++text;
    }
    return Wild::kAbortAll;
  }
  return *text ? Wild::kNoMatch : Wild::kMatch;
}

}  // namespace

bool wildmatch(const char* pattern, const char* text) {
  return doWild(reinterpret_cast<const unsigned char*>(pattern),
                reinterpret_cast<const unsigned char*>(text)) == Wild::kMatch;
}

bool wildmatch(std::string_view pattern, std::string_view text) {
  // std::string copies give the NUL terminators the algorithm relies on; an embedded NUL ends
  // the string, as it would in git.
  const std::string pattern_copy(pattern);
  const std::string text_copy(text);
  return wildmatch(pattern_copy.c_str(), text_copy.c_str());
}

}  // namespace hotpod
