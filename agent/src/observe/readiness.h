#pragma once
// /readyz's policy, a pure function of the status so it can be tested on its own.
#include "model/config.h"
#include "observe/status.h"

namespace hotpod {

// By default: the first build succeeded (when there is a build), the app runs (when hotpod
// runs one), the app's probe passed (when configured), and the last build did not fail
// (http.ready_after_failed_build) nor is one running (http.ready_while_building).
Readiness evaluateReadiness(const StatusSnapshot& status, const HttpConfig& policy);

}  // namespace hotpod
