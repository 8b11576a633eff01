// forge over native IPC (docs/attacks.md): a task guesses capability slots it was never
// given, hoping to reach an object another task holds. Slots are indices into the task's
// own capability space (seeds/004: "the task only knows the object's local name"), so a
// guess can only ever find what the task holds already.
//
// usage: attack_forge_native server NAME
//            slot 2: the secret endpoint (receive), slot 3: "done" (receive). Receives on
//            the secret endpoint until the attacker is done (every message is a violation:
//            nobody holds a send capability to it)
//        attack_forge_native attacker NAME [--given LIST]
//            slot 2: "done" (send). On every slot 1..255 not in LIST (default "2"): cap_info,
//            ipc_send and ipc_recv with a zero timeout, notify_signal, notify_poll, and
//            comm_info; an operation that does not fail with invalid_capability found
//            something there
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_report.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_secret = 2, slot_done = 3, slot_done_signal = 2;
constexpr uint64_t poll_timeout_ns = 1000000;
constexpr int max_polls = 2000; // 2 s of virtual time at most

void server(const char* name) {
    atk_errors errors{};
    unsigned long long received = 0;
    for (int i = 0; i < max_polls; ++i) {
        Received m = ipc_recv(slot_secret, poll_timeout_ns);
        if (m.status == Status::ok)
            ++received;
        else if (m.status != Status::timed_out)
            atk_error(&errors, status_name(m.status));
        if (notify_poll(slot_done).word) break;
    }
    atk_line l;
    atk_begin(&l, "forge", "native", "server", name);
    atk_count(&l, "received", received);
    atk_count(&l, "violations", received);
    atk_string(&l, "result", "ok");
    atk_error_field(&l, &errors);
    atk_end(&l);
}

void attacker(const char* name, const char* given) {
    bool mine[cap_slots] = {};
    for (const char* p = given; *p;) {
        char* end;
        unsigned long slot = strtoul(p, &end, 10);
        if (end == p) break;
        if (slot < cap_slots) mine[slot] = true;
        p = *end == ',' ? end + 1 : end;
    }
    atk_errors errors{};
    unsigned long long attempts = 0, accepted = 0;
    auto tried = [&](Status s) {
        ++attempts;
        if (s != Status::invalid_capability) ++accepted; // the slot held something
        atk_error(&errors, status_name(s));
    };
    const Message m{Message_tag{1, 1}, {0xf0f0}};
    for (uint64_t slot = 1; slot < cap_slots; ++slot) {
        if (mine[slot]) continue;
        tried(cap_info(slot).status);
        tried(ipc_send(slot, m, timeout_zero));
        tried(ipc_recv(slot, timeout_zero).status);
        tried(notify_signal(slot));
        tried(notify_poll(slot).status);
        Syscall_registers r;
        r.r[0] = slot;
        tried(sys::comm_info(r));
    }
    (void)notify_signal(slot_done_signal);
    atk_line l;
    atk_begin(&l, "forge", "native", "attacker", name);
    atk_count(&l, "attempts", attempts);
    atk_count(&l, "accepted", accepted);
    atk_error_field(&l, &errors);
    atk_count(&l, "buffer_peak_bytes", 0);
    atk_string(&l, "stopped_by", "limit");
    atk_end(&l);
}

} // namespace

int main(int argc, char** argv) {
    const char* given = "2";
    if (argc > 4 && !strcmp(argv[3], "--given")) given = argv[4];
    if (argc < 3)
        return fprintf(stderr, "usage: attack_forge_native server|attacker NAME [--given LIST]\n"),
               2;
    if (!strcmp(argv[1], "server"))
        server(argv[2]);
    else if (!strcmp(argv[1], "attacker"))
        attacker(argv[2], given);
    else
        return fprintf(stderr, "attack_forge_native: unknown role '%s'\n", argv[1]), 2;
    return 0;
}
