#pragma once
// A control request over HTTP (POST /v1/rebuild or /v1/restart), as the loop, the audit log and
// the webhooks see it: what was asked, and by whom.
#include <string>
#include <vector>

namespace hotpod {

struct ControlRequest {
  std::string action;  // "rebuild" or "restart"
  std::string client;  // the peer's address, "127.0.0.1:53422"
  // `services:`: the services it concerns (?service=NAME, all of them for ?service=*); empty
  // without services.
  std::vector<std::string> services;
};

}  // namespace hotpod
