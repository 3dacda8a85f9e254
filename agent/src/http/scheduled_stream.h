#pragma once
// The connection as httplib reads and writes it for one request: the head, already complete in
// the socket, is read in one go; the body and the response go straight to the socket, with a
// deadline for the whole request so that a slow body cannot hold a worker.
#include <httplib.h>

#include <chrono>
#include <string>

namespace hotpod {

class ScheduledStream : public httplib::Stream {
 public:
  static constexpr std::chrono::seconds kRequestTimeout{5};  // to read the whole request
  static constexpr std::chrono::seconds kWriteTimeout{5};    // for each write of the response

  ScheduledStream(int fd, size_t head_bytes, std::chrono::milliseconds request_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }
  // The request line and headers, as they arrived.
  const std::string& head() const { return head_; }

 private:
  int fd_;
  std::string head_;
  size_t head_read_ = 0;
  std::chrono::steady_clock::time_point read_deadline_;
};

}  // namespace hotpod
