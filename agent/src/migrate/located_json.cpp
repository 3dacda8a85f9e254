#include "migrate/located_json.h"

#include <iterator>
#include <vector>

#include "model/config_error.h"

namespace hotpod {
namespace {

using json = nlohmann::json;

// An input iterator over the text that counts how far the lexer has read.
struct CountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* at;
  size_t* consumed;

  reference operator*() const { return *at; }
  CountingIterator& operator++() {
    ++at;
    ++*consumed;
    return *this;
  }
  CountingIterator operator++(int) {
    auto before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return at == other.at; }
  bool operator!=(const CountingIterator& other) const { return at != other.at; }
};

// Builds the document with nlohmann's own DOM builder and notes, for every value, the offset of
// its key (inside objects) or of the lexer just after the value's first token (elsewhere).
class PositionRecorder {
 public:
  PositionRecorder(json& root, std::string_view text, const size_t& consumed,
                   std::unordered_map<std::string, size_t>& offsets)
      : dom_(root, true), text_(text), consumed_(consumed), offsets_(offsets) {}

  bool null() { return value(), dom_.null(); }
  bool boolean(bool v) { return value(), dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value(), dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(), dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return value(), dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return value(), dom_.string(v); }
  bool binary(json::binary_t& v) { return value(), dom_.binary(v); }
  bool start_object(std::size_t n) {
    value();
    frames_.push_back({true, {}, 0});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    frames_.back().key = k;
    last_end_ = consumed_;
    return dom_.key(k);
  }
  bool end_object() { return frames_.pop_back(), last_end_ = consumed_, dom_.end_object(); }
  bool start_array(std::size_t n) {
    value();
    frames_.push_back({false, {}, 0});
    return dom_.start_array(n);
  }
  bool end_array() { return frames_.pop_back(), last_end_ = consumed_, dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    return dom_.parse_error(position, token, error);
  }

 private:
  struct Frame {
    bool object;
    std::string key;
    size_t next_index;
  };

  void value() {
    json::json_pointer pointer;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      // An enclosing array has counted the element this value is inside already.
      const size_t index = i + 1 < frames_.size() ? frame.next_index - 1 : frame.next_index;
      pointer /= frame.object ? frame.key : std::to_string(index);
    }
    // The value starts at the first character after the end of the previous token (a key, a
    // bracket or a value; the lexer may have read one character past a number) that is not
    // whitespace or a separator.
    size_t start = last_end_;
    while (start < text_.size() &&
           std::string_view(" \t\r\n:,").find(text_[start]) != std::string_view::npos) {
      ++start;
    }
    offsets_[pointer.to_string()] = start;
    last_end_ = consumed_;
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().next_index;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::string_view text_;
  const size_t& consumed_;
  std::unordered_map<std::string, size_t>& offsets_;
  std::vector<Frame> frames_;
  size_t last_end_ = 0;
};

std::string describe(const json& value) {
  return value.is_array()    ? "an array"
         : value.is_object() ? "an object"
         : value.is_null()   ? "null"
                             : value.dump();
}

TextPosition positionAt(std::string_view text, size_t offset) {
  TextPosition position{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return position;
}

}  // namespace

LocatedJson LocatedJson::parse(std::string_view text, const std::string& file) {
  LocatedJson doc;
  doc.text_ = std::string(text);
  size_t consumed = 0;
  PositionRecorder recorder(doc.root_, doc.text_, consumed, doc.offsets_);
  const char* begin = doc.text_.data();
  const char* end = begin + doc.text_.size();
  try {
    json::sax_parse(CountingIterator{begin, &consumed}, CountingIterator{end, &consumed},
                    &recorder);
  } catch (const json::parse_error& error) {
    // error.byte is 1-based: the character where the lexer stopped.
    const auto where = positionAt(doc.text_, error.byte > 0 ? error.byte - 1 : 0);
    std::string message = error.what();
    if (auto colon = message.find("syntax error"); colon != std::string::npos) {
      message = message.substr(colon);
    }
    throw ConfigError(file, where.line, where.column, "", "invalid JSON: " + message,
                      "check the quotes, commas and brackets around this place");
  }
  return doc;
}

TextPosition LocatedJson::positionOf(const json::json_pointer& pointer) const {
  auto found = offsets_.find(pointer.to_string());
  if (found == offsets_.end()) return {};
  return positionAt(text_, found->second);
}

void JsonReader::fail(const JsonField& field, const std::string& key, const std::string& problem,
                      const std::string& hint) const {
  const TextPosition where = doc_.positionOf(field.pointer);
  throw ConfigError(file_, where.line, where.column, key, problem, hint);
}

std::string JsonReader::text(const JsonField& field, const std::string& key) const {
  const auto& value = field.value;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  fail(field, key, "expected a string, got " + describe(value));
}

JsonReader::Strings JsonReader::texts(const JsonField& field, const std::string& key) const {
  if (field.value.is_object() || field.value.is_null()) {
    fail(field, key, "expected an array of strings, got " + describe(field.value));
  }
  if (!field.value.is_array()) return {text(field, key)};
  Strings out;
  for (size_t i = 0; i < field.value.size(); ++i) {
    out.push_back(text({field.value[i], field.pointer / i}, key));
  }
  return out;
}

bool JsonReader::flag(const JsonField& field, const std::string& key) const {
  const std::string value = text(field, key);
  if (value != "true" && value != "false") fail(field, key, "expected true or false");
  return value == "true";
}

std::map<std::string, std::string> JsonReader::object(const JsonField& field,
                                                      const std::string& key) const {
  if (!field.value.is_object()) {
    fail(field, key, "expected an object, got " + describe(field.value));
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : field.value.items()) {
    out[name] = text({value, field.pointer / name}, key + "." + name);
  }
  return out;
}

}  // namespace hotpod
