// Shared parts of the ipc_ops test program: capability slots, the server's protocol, the
// case report and the partner threads. The program is ipc_ops.cpp (roles, server, report,
// partners), ipc_ops_transfer.cpp (order, registers, strings), ipc_ops_items.cpp (capability
// and map items), ipc_ops_control.cpp (timeouts, notifications, capabilities) and
// ipc_ops_threads.cpp (thread ids, threads, priorities, callers left without an answer,
// objects destroyed under a waiter).
#pragma once

#include <stdint.h>

#include "ipclab/ipc.hpp"

namespace ipc_ops {

using namespace ipclab;

// Capability slots, as tests/qemu/scenarios/ipc_ops.json hands them out.
// The client task:
inline constexpr uint64_t slot_service = 2;       ///< endpoint "service": send + grant, badge 7
inline constexpr uint64_t slot_local = 3;         ///< endpoint "local": send + receive + grant
inline constexpr uint64_t slot_note = 4;          ///< notification "note": receive
inline constexpr uint64_t slot_note_a = 5;        ///< notification "note": send, badge 1
inline constexpr uint64_t slot_note_b = 6;        ///< notification "note": send, badge 2
inline constexpr uint64_t slot_done = 7;          ///< notification "done": send + receive, badge 1
inline constexpr uint64_t slot_inbox = 8;         ///< endpoint "inbox": send + receive
inline constexpr uint64_t slot_service_plain = 9; ///< endpoint "service": send only, badge 7
inline constexpr uint64_t slot_quiet = 10;        ///< endpoint "quiet": receive; nobody sends
// The client task of the teardown runs (besides slots 4, 5 and 7): its only capabilities to
// an endpoint and a notification that nobody else holds.
inline constexpr uint64_t slot_doomed_endpoint = 30; ///< endpoint "doomed": receive
inline constexpr uint64_t slot_doomed_note = 31;     ///< notification "doomed_note": receive
inline constexpr uint64_t service_badge = 7;
// The server task: slot_service with the receive right; what a message passes lands here.
inline constexpr uint64_t server_recv_cap_slot = 20;

/// Server operations (the label of a call to the service endpoint). Every one is answered.
enum Op : uint64_t {
    op_echo = 1, ///< reply: label = register MRs beyond the length that were not zero,
                 ///< same length, every MR + 1
    op_string,   ///< reply: MR0 bytes received, MR1 their hash, the string back XOR 0x5a
    op_cap,      ///< uses what arrived in server_recv_cap_slot (a signal, or a send of MR0
                 ///< 0xcafe with zero timeout), then deletes it; reply: MR0 cap flag, MR1..3
                 ///< cap_info's type, rights, badge; label: cap_info status | use status << 8
                 ///< | delete status << 16
    op_map,      ///< MR0 offset to read, MR1 offset to write, MR2 value, in the map window;
                 ///< reply: MR0 pages received, MR1 the word read
    op_prepare,  ///< MR0 a Prepare, MR1 and MR2 its values: for the next receive only
    op_query,    ///< reply: MR0 status of the last failed receive (then cleared), MR1 count
    op_badge,    ///< reply: MR0 the badge received, MR1 the tag's by-thread-id flag
};

/// What op_prepare changes for the server's next receive.
enum Prepare : uint64_t {
    prepare_string_window = 1, ///< MR1 a Window, MR2 the capacity in bytes
    prepare_cap_slot,          ///< MR1 the receive slot (0, or an occupied one)
    prepare_map_window,        ///< MR1 the window's address, MR2 its size in pages
};
enum Window : uint64_t { window_buffer, window_unmapped, window_read_only };

/// Never mapped in either task: a user address far above the anonymous mappings, which grow
/// up from 0x100000000000 (the layout is in kernel/mem/address_space.hpp).
inline constexpr uint64_t unmapped_address = 0x500000200000;
/// The server's map window (2 pages) and two more that are free until a case uses them.
inline constexpr uint64_t map_window = 0x500000000000;
inline constexpr uint64_t map_window_small = 0x500000010000;
inline constexpr uint64_t map_window_read_only = 0x500000020000;
/// A kernel address (the kernel image).
inline constexpr uint64_t kernel_address = 0xffffffff80000000;

/// One case's report line: {"type":"case","case":NAME,"status":S, fields..., "ok":B}.
/// `status` is the status of the operation the case is about; fields are what else it
/// observed. want() records a condition; the first one that failed is named in "failed".
class Case {
public:
    Case(const char* name, Status status);
    Case& status(const char* key, Status s);
    Case& num(const char* key, uint64_t value);
    Case& flag(const char* key, bool value);
    Case& text(const char* key, const char* value);
    Case& want(bool condition, const char* what);
    /// Prints the line (once) and counts it.
    void end();
    ~Case() { end(); }

private:
    char m_line[1024];
    unsigned m_used = 0;
    const char* m_failed = nullptr;
    bool m_ended = false;
    void append(const char* format, ...) __attribute__((format(printf, 2, 3)));
};

/// Counts a failure that is not a case (a thread that could not be created, say).
void fail(const char* what);

// Partner threads in the client task. They share the task's C-library state (FS base), so
// they use ipclab calls and plain memory only, and report through `probe`. Each has its own
// UTCB (utcb() follows the GS base the kernel sets per thread).

/// What a partner thread observed.
struct Probe {
    Status status, status2, status3;
    uint64_t badge, tag, value, id, priority;
    uint64_t mr[mr_in_registers];
};
inline constexpr unsigned probe_count = 8;
extern Probe probe[probe_count];
void clear_probes();

/// Starts `body(argument)` in a new thread at `priority`; returns its id (0 on failure, with
/// thread_create's status in `status` if given).
uint64_t spawn(void (*body)(uint64_t), uint64_t argument, uint8_t priority,
               Status* status = nullptr);
/// Ends the calling partner thread after counting it as finished.
[[noreturn]] void finish();
/// Waits until every partner started has finished.
void join();
/// As join(), but gives up after `ns` virtual nanoseconds; false if a partner is left.
bool join_within(uint64_t ns);
/// Lets a partner of the main thread's priority run until it blocks.
void let_partner_block();
/// Blocks the main thread for `ns` virtual nanoseconds, so that partners of lower priority
/// run until they block.
void pause_for(uint64_t ns);
/// The main thread's priority (partners run at or below it).
uint8_t main_priority();

/// FNV-1a hash of `n` bytes (what the server reports of a string it received).
uint64_t fnv1a(const unsigned char* p, uint64_t n);

// Partner bodies several groups use; the argument is the probe index.
void receive_value(uint64_t i); ///< receives on slot_local: status, badge, tag, MR0..3, value = MR0
void send_value(uint64_t i);    ///< sends MR0 = i on slot_local: status
void call_value(uint64_t i);    ///< calls slot_local with MR0 = i: status, value = the reply's MR0

/// Virtual nanoseconds (= guest instructions under -icount shift=0).
inline uint64_t now() {
    return __builtin_ia32_rdtsc();
}

// The client's side of the server's protocol.
/// Asks the server to take its next receive with `what` changed (op_prepare).
void prepare(Prepare what, uint64_t a, uint64_t b = 0);
/// Adds the server's record of failed receives since the last look (op_query) to `c`, and
/// wants it to be one failure with `want`, or none if `want` is ok.
void server_saw(Case& c, Status want);

// The case groups.
void transfer_cases(); // ipc_ops_transfer.cpp
void item_cases();     // ipc_ops_items.cpp
void control_cases();  // ipc_ops_control.cpp
void thread_cases();   // ipc_ops_threads.cpp
/// One teardown case ("endpoint", "notification" or "inbox"), alone in its run because the
/// kernel may not survive it; false for an unknown name. ipc_ops_threads.cpp.
bool teardown_case(const char* what);

} // namespace ipc_ops
