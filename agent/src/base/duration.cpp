#include "base/duration.h"

#include <cmath>
#include <cstdint>

namespace hotpod {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Milliseconds per unit; nullopt for unknown units.
std::optional<double> unitMilliseconds(std::string_view unit, DurationSyntax syntax) {
  if (syntax == DurationSyntax::Go) {
    if (unit == "ns") return 1e-6;
    // Go accepts "us", U+00B5 (micro sign) and U+03BC (Greek mu).
    if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e-3;
  }
  if (unit == "ms") return 1.0;
  if (unit == "s") return 1000.0;
  if (unit == "m") return 60.0 * 1000.0;
  if (unit == "h") return 60.0 * 60.0 * 1000.0;
  return std::nullopt;
}

// "12.5" -> 12.5 by hand: std::stod follows the C locale's decimal separator.
double parseDecimal(std::string_view digits) {
  double value = 0.0;
  double scale = 0.0;  // 0 until the '.', then 0.1, 0.01, ...
  for (char c : digits) {
    if (c == '.') {
      scale = 0.1;
    } else if (scale == 0.0) {
      value = value * 10 + (c - '0');
    } else {
      value += (c - '0') * scale;
      scale /= 10;
    }
  }
  return value;
}

// Largest value accepted: doubles stay exact up to 2^53, far beyond any sensible timeout.
constexpr double kMaxMilliseconds = 9007199254740992.0;

}  // namespace

std::optional<Duration> parseDuration(std::string_view text, DurationSyntax syntax) {
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;

  double total = 0.0;
  size_t pos = 0;
  while (pos < text.size()) {
    // The number: digits, optionally followed by '.' and more digits; at least one digit.
    size_t number_start = pos;
    while (pos < text.size() && isDigit(text[pos])) ++pos;
    size_t integer_digits = pos - number_start;
    size_t fraction_digits = 0;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t fraction_start = pos;
      while (pos < text.size() && isDigit(text[pos])) ++pos;
      fraction_digits = pos - fraction_start;
    }
    if (integer_digits + fraction_digits == 0) return std::nullopt;
    double number = parseDecimal(text.substr(number_start, pos - number_start));

    // The unit: letters up to the next digit or '.'.
    size_t unit_start = pos;
    while (pos < text.size() && !isDigit(text[pos]) && text[pos] != '.') ++pos;
    auto per_unit = unitMilliseconds(text.substr(unit_start, pos - unit_start), syntax);
    if (!per_unit) return std::nullopt;

    total += number * *per_unit;
    if (total > kMaxMilliseconds) return std::nullopt;
  }
  return Duration{static_cast<int64_t>(std::llround(total))};
}

std::string formatDuration(Duration duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms < 1000) return out + std::to_string(ms) + "ms";

  int64_t hours = ms / 3'600'000;
  int64_t minutes = ms / 60'000 % 60;
  int64_t seconds = ms / 1000 % 60;
  int64_t millis = ms % 1000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0 || millis > 0) {
    out += std::to_string(seconds);
    if (millis > 0) {
      // Three fraction digits without trailing zeros: 1.5s, 1.25s, 1.005s.
      std::string fraction = std::to_string(1000 + millis).substr(1);
      while (fraction.back() == '0') fraction.pop_back();
      out += "." + fraction;
    }
    out += "s";
  }
  return out;
}

}  // namespace hotpod
