#pragma once
// Human-written durations as in Go and air: "250ms", "5s", "2m", "1h", "1.5s", "1m30s", "0".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hotpod {

using Duration = std::chrono::milliseconds;

// The longest duration a config may hold: timers and deadlines are steady_clock nanoseconds
// (int64, about 292 years), so a longer value would overflow into the past and fire at once.
// Ten years serves as "never".
inline constexpr Duration kLongestDuration = std::chrono::hours(87600);

// A sequence of <number><unit> parts (units: ms, s, m, h; the number may have a fraction) or a
// bare "0". Fractions are rounded to the nearest millisecond. Returns nullopt for anything else:
// empty text, a bare number other than 0, a sign, spaces, unknown units, absurdly large values.
// DurationSyntax::Go also reads Go's sub-millisecond units (ns, us, µs), as air's config has
// them; they are rounded to the nearest millisecond like fractions.
enum class DurationSyntax { Hotpod, Go };
std::optional<Duration> parseDuration(std::string_view text,
                                      DurationSyntax syntax = DurationSyntax::Hotpod);

// The shortest spelling that parseDuration reads back: "0s", "250ms", "1.5s", "2m", "1m30s".
std::string formatDuration(Duration duration);

}  // namespace hotpod
