#pragma once
// A config file is one YAML document. YAML::Load reads the first and silently drops the rest,
// so a second document (a pasted Kubernetes manifest, a stray `---`) would be ignored, even an
// invalid one.
#include <string>
#include <string_view>

namespace hotpod {

// Throws ConfigError at the line where a second document starts; returns when there is none.
void refuseSecondDocument(std::string_view yaml, const std::string& file_name);

}  // namespace hotpod
