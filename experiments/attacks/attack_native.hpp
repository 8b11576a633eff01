// What the attack programs that make native system calls share besides the JSON lines
// (attack_report.h): an operation's Status counted in the attacker's tally, and the
// legitimate client that sends once the attacker is done. C++ (runtime/include/ipclab);
// the MPI programs spoof and forge use it for their raw system calls.
#pragma once

#include "experiments/attacks/attack_report.h"
#include "ipclab/ipc.hpp"

/// Counts an operation that returned `s`: ok is carried out, anything else an error by its
/// status name (abi/status.def). Returns whether it was carried out.
inline bool atk_tried(atk_tally* t, ipclab::Status s) {
    return atk_tried(t, s == ipclab::Status::ok ? nullptr : ipclab::status_name(s));
}

/// forge: counts an operation on a slot the task was not given. Anything but
/// invalid_capability found something there (docs/attacks.md: `accepted`); every status is
/// recorded by name, ok included, so the errors show what the slots held.
inline void atk_probed(atk_tally* t, ipclab::Status s) {
    ++t->attempts;
    if (s != ipclab::Status::invalid_capability) ++t->accepted;
    atk_error(&t->errors, ipclab::status_name(s));
}

/// The legitimate client of spoof and unauthorized: waits for the attacker's "done"
/// (notification `done_slot`), then sends `message(i, false)` for i in 0..tries-1 and the end
/// mark `message(tries, true)` through endpoint `slot`, and prints its line. `message` makes
/// an ipclab::Message.
template <class Compose>
void atk_native_client(const char* attack, const char* name, uint64_t slot, uint64_t done_slot,
                       int tries, Compose message) {
    atk_errors errors{};
    unsigned long long failed = 0;
    (void)ipclab::notify_wait(done_slot);
    for (int i = 0; i <= tries; ++i) {
        ipclab::Status s = ipclab::ipc_send(slot, message(i, i == tries));
        if (s != ipclab::Status::ok) atk_error(&errors, ipclab::status_name(s)), ++failed;
    }
    atk_print_client(attack, "native", name, nullptr, failed, &errors);
}
