#include "migrate/toml_guard.h"

#include <cstdio>
#include <optional>

#include "model/config_error.h"

namespace hotpod {
namespace {

struct CodePoint {
  char32_t value;
  size_t length;
};

// The UTF-8 sequence at text[i] (lead byte >= 0x80), or nullopt when it is not valid UTF-8.
std::optional<CodePoint> decodeUtf8(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) return std::nullopt;
  char32_t value = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kSmallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

std::string escaped(char32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, value <= 0xFFFF ? "\\u%04X" : "\\U%08X",
                static_cast<unsigned>(value));
  return buffer;
}

enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };

// One string as written, and as a basic string with escapes; the second is used only when the
// string holds non-ASCII.
struct StringSegment {
  std::string original;
  std::string rewritten;
  bool non_ascii = false;
  void flushTo(std::string& out) {
    out += non_ascii ? rewritten : original;
    original.clear(), rewritten.clear(), non_ascii = false;
  }
};

}  // namespace

std::string asciiForTomlParser(std::string_view text, const std::string& file_name) {
  In in = In::Code;
  int line = 1;
  int column = 0;
  // A quote opens a string only where a key or value may start; elsewhere ("x =0\"…") the
  // parser reads on as code, and so does this rewrite.
  char last_code = '\n';
  bool last_bracket_opens = false;
  bool seen_equals = false;  // on this line
  std::string out;
  out.reserve(text.size());
  StringSegment string;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::string_view rest = text.substr(i);
    ++column;
    if (c >= 0x80) {
      const auto point = decodeUtf8(text, i);
      if (!point) {
        throw ConfigError(file_name, line, column, "", "these bytes are not UTF-8",
                          "save the file as UTF-8");
      }
      if (in == In::Code) {
        throw ConfigError(file_name, line, column, "",
                          "a non-ASCII character outside a string or comment is not valid TOML",
                          "quote it, e.g. key = \"café\"");
      }
      if (in == In::Comment) {
        out += '?';
      } else {
        string.original.append(rest.substr(0, point->length));
        string.rewritten += escaped(point->value);
        string.non_ascii = true;
      }
      i += point->length - 1;
      continue;
    }
    if (c == '\n') {
      ++line;
      column = 0;
      if (in == In::Basic || in == In::Literal) string.flushTo(out);  // unterminated
      if (in == In::Comment || in == In::Basic || in == In::Literal) in = In::Code;
      if (in == In::Code) last_code = '\n', seen_equals = false;
    }
    const auto both = [&](std::string_view original, std::string_view rewritten) {
      string.original += original;
      string.rewritten += rewritten;
    };
    switch (in) {
      case In::Code: {
        if (c == '\n') {
          out += '\n';
          break;
        }
        // '[', '{' and ',' open only where they follow an opener themselves ("x = [", not
        // "x = 0["); '.' only in a key, before the '='.
        const bool may_open = std::string_view("\n=,").find(last_code) != std::string_view::npos ||
                              ((last_code == '[' || last_code == '{') && last_bracket_opens) ||
                              (last_code == '.' && !seen_equals);
        if (c == '[' || c == '{') last_bracket_opens = may_open;
        if (c == '=') seen_equals = true;
        if (c != ' ' && c != '\t' && c != '\r') last_code = static_cast<char>(c);
        if (c == '#') {
          in = In::Comment, out += '#';
        } else if (may_open && rest.starts_with("\"\"\"")) {
          in = In::MultiBasic, both("\"\"\"", "\"\"\""), i += 2, column += 2;
        } else if (may_open && rest.starts_with("'''")) {
          in = In::MultiLiteral, both("'''", "\"\"\""), i += 2, column += 2;
        } else if (may_open && c == '"') {
          in = In::Basic, both("\"", "\"");
        } else if (may_open && c == '\'') {
          in = In::Literal, both("'", "\"");
        } else {
          out += static_cast<char>(c);
        }
        break;
      }
      case In::Comment:
        out += static_cast<char>(c);
        break;
      case In::Basic:
      case In::MultiBasic: {
        const bool multi = in == In::MultiBasic;
        if (c == '\\' && i + 1 < text.size()) {
          if (static_cast<unsigned char>(text[i + 1]) >= 0x80) {
            throw ConfigError(file_name, line, column, "",
                              "a backslash followed by a non-ASCII character is not a valid "
                              "escape",
                              "write \\\\ for a backslash, or \\uXXXX for the character");
          }
          both(rest.substr(0, 2), rest.substr(0, 2));  // the escaped character cannot end it
          if (text[i + 1] == '\n') ++line, column = 0;
          ++i, ++column;
        } else if (multi ? rest.starts_with("\"\"\"") : c == '"') {
          const auto close = rest.substr(0, multi ? 3 : 1);
          both(close, close);
          string.flushTo(out);
          in = In::Code, last_code = '"', i += close.size() - 1, column += close.size() - 1;
        } else {
          both(rest.substr(0, 1), rest.substr(0, 1));
        }
        break;
      }
      case In::Literal:
      case In::MultiLiteral: {
        const bool multi = in == In::MultiLiteral;
        if (multi ? rest.starts_with("'''") : c == '\'') {
          both(rest.substr(0, multi ? 3 : 1), multi ? "\"\"\"" : "\"");
          string.flushTo(out);
          in = In::Code, last_code = '"';
          if (multi) i += 2, column += 2;
        } else if (c == '\\' || c == '"') {
          both(rest.substr(0, 1), c == '\\' ? "\\\\" : "\\\"");  // literal in a basic string
        } else {
          both(rest.substr(0, 1), rest.substr(0, 1));
        }
        break;
      }
    }
  }
  string.flushTo(out);  // an unterminated string: the parser reports it
  return out;
}

}  // namespace hotpod
