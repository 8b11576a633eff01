// Fixture of the communicator tests (communicator_test.cpp, comm_*_test.cpp): member tasks
// holding a communicator capability badged with their rank, as boot/compose.cpp grants it,
// and the comm_* system calls made the way user space makes them (test::syscall; register
// convention in abi/syscall.hpp).
#pragma once

#include <stdint.h>

#include <arch/clock.hpp>

#include <string>
#include <utility>
#include <vector>

#include "abi/comm.hpp"
#include "abi/syscall.hpp"
#include "abi/timeout.hpp"
#include "ipc/fastpath.hpp"
#include "ipc/notification.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"
#include "support/kernel_test.hpp"
#include "task/timeouts.hpp"

namespace test::comm {

using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

inline constexpr uint64_t inf = ipclab::timeout_infinite;
inline constexpr uint64_t zero = ipclab::timeout_zero;
inline constexpr uint64_t us = 1000, ms = 1000 * us;
inline constexpr int32_t any = -1; ///< comm_any_source and comm_any_tag
inline constexpr uint64_t p2p = ipclab::context_point_to_point;
inline constexpr uint64_t collective = ipclab::context_collective;
inline constexpr uint64_t synchronous = ipclab::comm_isend_synchronous;
inline constexpr uint64_t world = ipclab::slot_comm_world;
inline constexpr uint8_t send_receive = ipclab::right_send | ipclab::right_receive;
/// Every member's message buffers: 16 read-write pages. The last page holds comm_create groups.
inline constexpr uint64_t buffer = 0x10000;
inline constexpr uint64_t buffer_bytes = 0x10000;
inline constexpr uint64_t group_at = buffer + buffer_bytes - 0x1000;

/// Writes `text` into the caller's memory at `at`.
inline void put(Thread& self, const std::string& text, uint64_t at = buffer) {
    EXPECT_EQ(kernel::copy_to_user(self.task().space(), at, text.data(), text.size()), Status::ok);
}

/// `n` bytes of the caller's memory at `at`.
inline std::string contents(Thread& self, size_t n, uint64_t at = buffer) {
    std::string s(n, '\0');
    EXPECT_EQ(kernel::copy_from_user(self.task().space(), at, s.data(), n), Status::ok);
    return s;
}

/// A message of `n` bytes whose content says where each byte was (for long messages).
inline std::string pattern(size_t n, char seed = 'a') {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char(seed + i % 23);
    return s;
}

inline uint64_t reg(int64_t v) { return uint64_t(v); }

/// What a receive, a wait or a probe reported: the status and, when it succeeded (ok or
/// truncated), the envelope in r0..r2; `data` is what the receive buffer holds afterwards.
struct Received {
    Status status = Status::invalid_argument;
    int32_t source = -2, tag = -2;
    uint64_t bytes = 0;
    std::string data;
};

inline void take_envelope(Thread& self, Received& r) {
    if (r.status != Status::ok && r.status != Status::truncated) return;
    r.source = int32_t(int64_t(self.frame().arg(0)));
    r.tag = int32_t(int64_t(self.frame().arg(1)));
    r.bytes = self.frame().arg(2);
}

/// A started non-blocking operation: status and request handle (r0, when ok).
struct Started {
    Status status;
    uint64_t handle;
};

/// comm_send of `text` (written to the caller's buffer at `at` first).
inline Status send(Thread& self, int32_t dest, int32_t tag, const std::string& text, uint64_t context = p2p,
                   uint64_t slot = world, uint64_t at = buffer) {
    put(self, text, at);
    return test::syscall(self, Syscall::comm_send, {slot, reg(dest), reg(tag), at, text.size(), context});
}

/// comm_recv into the caller's buffer at `at`.
inline Received recv(Thread& self, int32_t source, int32_t tag, uint64_t capacity, uint64_t context = p2p,
                     uint64_t timeout = inf, uint64_t slot = world, uint64_t at = buffer) {
    Received r;
    r.status = test::syscall(self, Syscall::comm_recv, {slot, reg(source), reg(tag), at, capacity, context}, timeout);
    take_envelope(self, r);
    r.data = contents(self, capacity, at);
    return r;
}

/// comm_isend of `text` from the caller's buffer at `at`; `flags` is the context, or-ed
/// with `synchronous` for MPI_Issend.
inline Started isend(Thread& self, int32_t dest, int32_t tag, const std::string& text, uint64_t flags = p2p,
                     uint64_t at = buffer, uint64_t slot = world) {
    put(self, text, at);
    Status s = test::syscall(self, Syscall::comm_isend, {slot, reg(dest), reg(tag), at, text.size(), flags});
    return Started{s, self.frame().arg(0)};
}

/// comm_irecv into the caller's buffer at `at`.
inline Started irecv(Thread& self, int32_t source, int32_t tag, uint64_t capacity, uint64_t at = buffer,
                     uint64_t context = p2p, uint64_t slot = world) {
    Status s = test::syscall(self, Syscall::comm_irecv, {slot, reg(source), reg(tag), at, capacity, context});
    return Started{s, self.frame().arg(0)};
}

/// comm_wait on `handle`; the envelope is read when the request was a receive.
inline Received wait(Thread& self, uint64_t handle, uint64_t timeout = inf) {
    Received r;
    r.status = test::syscall(self, Syscall::comm_wait, {handle}, timeout);
    take_envelope(self, r);
    return r;
}

/// comm_probe: the envelope of the first matching message, which stays queued.
inline Received probe(Thread& self, int32_t source, int32_t tag, uint64_t timeout = inf, uint64_t context = p2p,
                      uint64_t slot = world) {
    Received r;
    r.status = test::syscall(self, Syscall::comm_probe, {slot, reg(source), reg(tag), 0, 0, context}, timeout);
    take_envelope(self, r);
    return r;
}

/// comm_info.
struct Info {
    Status status;
    int32_t rank;
    uint64_t size, context_id, send_timeout;
};
inline Info info(Thread& self, uint64_t slot = world) {
    Status s = test::syscall(self, Syscall::comm_info, {slot});
    const arch::User_frame& f = self.frame();
    return Info{s, int32_t(f.arg(0)), f.arg(1), f.arg(2), f.arg(3)};
}

/// comm_buffer_usage: bytes of kernel memory buffering the caller's messages, now and peak.
inline std::pair<uint64_t, uint64_t> buffer_usage(Thread& self) {
    EXPECT_EQ(test::syscall(self, Syscall::comm_buffer_usage, {}), Status::ok);
    return {self.frame().arg(0), self.frame().arg(1)};
}

/// comm_create of `group` (parent ranks in new-rank order) under `key` into `slot`.
struct Created {
    Status status;
    int32_t rank;
    uint64_t size, context_id;
};
inline Created create(Thread& self, const std::vector<int32_t>& group, uint64_t key, uint64_t slot,
                      uint64_t parent = world) {
    EXPECT_EQ(kernel::copy_to_user(self.task().space(), group_at, group.data(), group.size() * sizeof(int32_t)),
              Status::ok);
    Status s = test::syscall(self, Syscall::comm_create, {parent, group_at, group.size(), key, slot});
    const arch::User_frame& f = self.frame();
    return Created{s, int32_t(f.arg(0)), f.arg(1), f.arg(2)};
}

/// Kernel-memory footprint of one buffered eager message of `bytes` (what the sender is
/// charged and comm_buffer_usage reports).
inline constexpr uint64_t eager_charge(uint64_t bytes) { return bytes + sizeof(kernel::Comm_op); }

class Comm_test : public Kernel_test {
protected:
    /// Every test leaves the run's policy and the fast path as it found them: `capability`,
    /// the default, and on.
    void TearDown() override {
        Kernel_test::TearDown();
        (void)kernel::select_policy("capability");
        kernel::ipc_fastpath_enabled = true;
    }

    /// Makes `name` (policies.def) the run's policy until the test ends. Communicators
    /// created afterwards get its send timeout.
    void use_policy(const char* name) { ASSERT_TRUE(kernel::select_policy(name)) << name; }

    /// The communicator most tests use: four ranks, held by the test until TearDown.
    kernel::Communicator& comm = make_communicator(4);

    /// The task of `rank` of `c`, granted as boot/compose.cpp grants it: a capability in
    /// `slot` with `rights` and the rank as badge, and the message buffers mapped.
    Thread& member_of(kernel::Communicator& c, int32_t rank, Body body, uint8_t rights = ipclab::rights_all,
                      uint64_t slot = world) {
        kernel::Task& task = make_task(("rank" + std::to_string(rank)).c_str());
        EXPECT_EQ(task.caps().insert(slot, c, rights, uint64_t(rank)), Status::ok);
        map(task, buffer, buffer_bytes);
        Thread& t = spawn(task, std::move(body));
        c.set_member(rank, t.task());
        return t;
    }
    Thread& member(int32_t rank, Body body, uint8_t rights = ipclab::rights_all) {
        return member_of(comm, rank, std::move(body), rights);
    }

    /// A notification the test signals (from the idle loop) to let a thread go on.
    kernel::Notification& make_gate() {
        kernel::Notification* n = kernel::Notification::create(kernel::kernel_account());
        if (!n) ADD_FAILURE() << "Notification::create failed";
        hold(*n);
        return *n;
    }
    /// Blocks `self` until the test opens `gate`.
    static void pass(Thread& self, kernel::Notification& gate) {
        EXPECT_EQ(gate.wait(self, 0, false), Status::ok);
    }
    /// Opens `gate` and lets whatever it woke run.
    void open(kernel::Notification& gate) {
        gate.signal(1);
        run_until_idle();
    }

    /// Starts virtual time for tests of timeouts (as timeouts_test.cpp): t0 is now.
    void start_clock() {
        advance_clock(ms); // never at 0, and clear of the previous test's tick
        kernel::timeouts().start();
        t0 = arch::now();
    }
    /// Moves the clock to t0 + `at`, takes the timer interrupt from the idle loop, and lets
    /// whatever it woke run.
    void interrupt_at(uint64_t at) {
        ASSERT_GE(t0 + at, arch::now());
        arch::host::set_now(t0 + at);
        timer_interrupt();
        run_until_idle();
    }

    uint64_t t0 = 0;
};

} // namespace test::comm
