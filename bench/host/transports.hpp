// Linux IPC channels between two processes for the host round-trip benchmarks
// (linux_bench.cpp), defined as baselines/linux defines them for the Linux guest
// (docs/baselines.md): each carries whole messages both ways between side 0 (the client) and
// side 1 (the echo server), and is opened before fork() so both processes share it.
#pragma once

#include <stddef.h>

#include <memory>
#include <string>

namespace host_bench {

enum class Transport { pipe, unix_socket, sysv_mq, posix_mq, futex };

/// The transport's name in results (docs/baselines.md): pipe, unix-socket, sysv-mq, posix-mq,
/// futex.
const char* name(Transport t);

class Channel {
public:
    virtual ~Channel() = default;
    /// Sends the `n` bytes at `buf` from `side` (0 or 1) to the other side; false on an error.
    virtual bool send(int side, const void* buf, size_t n) = 0;
    /// Receives a message of exactly `n` bytes on `side` into `buf`; false on an error.
    virtual bool recv(int side, void* buf, size_t n) = 0;
};

/// A channel for messages of `bytes` bytes, or nullptr with `why` set when the transport
/// cannot carry them here (a zero-length write on a stream wakes nobody; kernel.msgmax and
/// fs.mqueue.msgsize_max bound the message queues) or cannot be opened.
std::unique_ptr<Channel> open_channel(Transport t, size_t bytes, std::string& why);

} // namespace host_bench
