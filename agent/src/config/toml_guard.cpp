#include "config/toml_guard.h"

#include "config/config_error.h"

namespace hotpod {

void requireTomlParserSafe(std::string_view text, const std::string& file_name) {
  enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };
  In in = In::Code;
  int line = 1;
  int column = 0;
  bool after_line_backslash = false;  // in a multi-line basic string, whitespace is trimmed
  // A quote opens a string only where a key or value may start; elsewhere ("x =0\"…") the
  // parser reads on as code, and so does this check.
  char last_code = '\n';
  bool last_bracket_opens = false;
  bool seen_equals = false;                                     // on this line
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::string_view rest = text.substr(i);
    if ((c & 0xC0) != 0x80) ++column;  // count characters, not UTF-8 continuation bytes
    if (c >= 0x80 && (in == In::Code || after_line_backslash)) {
      throw ConfigError(file_name, line, column, "",
                        in == In::Code
                            ? "a non-ASCII character outside a string or comment is not valid TOML"
                            : "a non-ASCII character right after a line-ending backslash in a "
                              "\"\"\" string cannot be read by this TOML parser",
                        in == In::Code ? "quote it, e.g. key = \"café\""
                                       : "put it on the backslash's line, or escape it as \\uXXXX");
    }
    if (c == '\n') {
      ++line;
      column = 0;
      if (in == In::Comment || in == In::Basic || in == In::Literal) in = In::Code;
      if (in == In::Code) last_code = '\n', seen_equals = false;
      continue;
    }
    if (after_line_backslash && c != ' ' && c != '\t' && c != '\r') after_line_backslash = false;
    // After a backslash the parser asks whether the next character is whitespace.
    if ((in == In::Basic || in == In::MultiBasic) && c == '\\' && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) >= 0x80) {
      throw ConfigError(file_name, line, column, "",
                        "a backslash followed by a non-ASCII character is not a valid escape",
                        "write \\\\ for a backslash, or \\uXXXX for the character");
    }
    switch (in) {
      case In::Code: {
        // '[', '{' and ',' open only where they follow an opener themselves ("x = [", not
        // "x = 0["); '.' only in a key, before the '='.
        const bool after_opener =
            std::string_view("\n=,").find(last_code) != std::string_view::npos ||
            ((last_code == '[' || last_code == '{') && last_bracket_opens) ||
            (last_code == '.' && !seen_equals);
        const bool may_open = after_opener;
        if (c == '[' || c == '{') last_bracket_opens = after_opener;
        if (c == '=') seen_equals = true;
        if (c == '#')
          in = In::Comment;
        else if (!may_open) {
        } else if (rest.starts_with("\"\"\""))
          in = In::MultiBasic, i += 2, column += 2;
        else if (rest.starts_with("'''"))
          in = In::MultiLiteral, i += 2, column += 2;
        else if (c == '"')
          in = In::Basic;
        else if (c == '\'')
          in = In::Literal;
        if (c != ' ' && c != '\t' && c != '\r') last_code = static_cast<char>(c);
        break;
      }
      case In::Basic:
        if (c == '\\')
          ++i, ++column;  // the escaped character cannot end the string
        else if (c == '"')
          in = In::Code, last_code = '"';
        break;
      case In::Literal:
        if (c == '\'') in = In::Code, last_code = '"';
        break;
      case In::MultiBasic:
        if (c == '\\') {
          const auto next = text.find_first_not_of(" \t\r", i + 1);
          if (next != std::string_view::npos && text[next] == '\n') {
            after_line_backslash = true;
          } else {
            ++i, ++column;
          }
        } else if (rest.starts_with("\"\"\"")) {
          in = In::Code, i += 2, column += 2, last_code = '"';
        }
        break;
      case In::MultiLiteral:
        if (rest.starts_with("'''")) in = In::Code, i += 2, column += 2, last_code = '"';
        break;
      case In::Comment:
        break;
    }
  }
}

}  // namespace hotpod
