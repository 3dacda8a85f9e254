// hotpod exec's state file as the agent reads it, from another container: any bytes are refused
// or read, never a crash; what is read, written back and read again, is the same state.
#include "fuzz_input.h"
#include "app/exec_state_file.h"

namespace {

bool sameState(const hotpod::ExecState& a, const hotpod::ExecState& b) {
  return a.pid == b.pid && a.child_pid == b.child_pid && a.restarts == b.restarts &&
         a.last_exit == b.last_exit && a.last_exit_code == b.last_exit_code &&
         a.phase == b.phase && a.command == b.command && a.restart_signal == b.restart_signal;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto state = hotpod::parseExecState(hotpod::fuzz::asText(data, size));
  if (!state) return 0;
  const auto again = hotpod::parseExecState(hotpod::execStateJson(*state, 0));
  if (!again || !sameState(*state, *again)) __builtin_trap();
  return 0;
}
