// What the IPC benchmark's client and server agree on: message labels, capability slots,
// and the results page the server writes its time stamps into.
#pragma once

#include <stdint.h>

namespace bench {

/// Labels of the client's messages; the server's next operation depends on them.
enum Label : uint64_t {
    label_setup = 1,    ///< call: carries the results page (a map item) across address spaces
    label_call = 2,     ///< call: answered with a message of the same length
    label_send = 3,     ///< send: not answered
    label_signal = 4,   ///< call: MR0 = n; the server answers, then waits n times for a signal
    label_register = 5, ///< call: the sender becomes a client the server keeps state for
    label_by_badge = 6, ///< call: the server finds the client's state by the badge, O(1)
    label_by_tid = 7,   ///< call by thread id: the server finds the state by a binary search
};

/// Capability slots: the server's endpoint (client: send + grant, server: receive) and a
/// notification (client: send, server: receive), and the idle tasks' notification.
inline constexpr uint64_t slot_endpoint = 2;
inline constexpr uint64_t slot_notification = 3;

/// Where a server in another address space maps the results page.
inline constexpr uint64_t results_window = 0x300000000;
inline constexpr uint64_t results_pages = 16;
inline constexpr uint64_t results_capacity = 4096;

/// The server's time stamps, one pair per message it receives (message k at k % capacity).
struct Results {
    uint64_t arrived[results_capacity];      ///< just after the receive that got message k returned
    uint64_t reply_before[results_capacity]; ///< just before the reply_recv answering message k
};
static_assert(sizeof(Results) <= results_pages * 4096, "the results page holds the stamps");

} // namespace bench
