#pragma once
// A fake /proc tree for the peer finder's tests: the files hotpod agent reads (stat, comm,
// cmdline, status, the exe link, task/*/children and the self link), written as the kernel
// writes them, for processes a test invents.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace hotpod::testing {

struct FakeProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;
  std::vector<std::string> argv;
  pid_t pgid = 0;  // 0: its own group (pgid = pid)
  char state = 'S';
  unsigned long long start_time = 1000;
  std::string exe;  // the link's target; empty: no readable link (another UID)
  uid_t uid = 0;
  // SigBlk and SigCgt as the status file shows them (16 hex digits); empty: no such lines.
  std::string sig_blk;
  std::string sig_cgt;
};

class FakeProc {
 public:
  const std::filesystem::path& root() const { return dir_.path(); }

  void add(const FakeProcess& process) {
    const std::string pid = std::to_string(process.pid);
    const pid_t pgid = process.pgid == 0 ? process.pid : process.pgid;
    dir_.write(pid + "/stat", pid + " (" + process.comm + ") " + process.state + " " +
                                  std::to_string(process.ppid) + " " + std::to_string(pgid) + " " +
                                  std::to_string(pgid) +
                                  " 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " +
                                  std::to_string(process.start_time) + " 1000000 200\n");
    dir_.write(pid + "/comm", process.comm + "\n");
    std::string cmdline;
    for (const auto& arg : process.argv) cmdline += arg + '\0';
    dir_.write(pid + "/cmdline", cmdline);
    const std::string uid = std::to_string(process.uid);
    dir_.write(pid + "/status",
               "Name:\t" + process.comm + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid +
                   "\n" + (process.sig_blk.empty() ? "" : "SigBlk:\t" + process.sig_blk + "\n") +
                   (process.sig_cgt.empty() ? "" : "SigCgt:\t" + process.sig_cgt + "\n"));
    std::error_code ignored;
    std::filesystem::remove(root() / pid / "exe", ignored);
    if (!process.exe.empty()) std::filesystem::create_symlink(process.exe, root() / pid / "exe");
  }

  void remove(pid_t pid) { std::filesystem::remove_all(root() / std::to_string(pid)); }

  // Which process reads this tree (the /proc/self link).
  void setSelf(pid_t pid) {
    std::error_code ignored;
    std::filesystem::remove(root() / "self", ignored);
    std::filesystem::create_symlink(std::to_string(pid), root() / "self");
  }

  // The kernel's per-thread list of children (CONFIG_PROC_CHILDREN).
  void setChildren(pid_t pid, const std::vector<pid_t>& children) {
    std::string text;
    for (pid_t child : children) text += std::to_string(child) + " ";
    dir_.write(std::to_string(pid) + "/task/" + std::to_string(pid) + "/children", text);
  }

 private:
  TempDir dir_;
};

}  // namespace hotpod::testing
