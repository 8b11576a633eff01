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

#include "experiments/attacks/attack_native.hpp"

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
    atk_print_server("forge", "native", name, received, received, "ok", &errors);
}

void attacker(const char* name, const char* given) {
    unsigned char mine[cap_slots] = {};
    atk_parse_slots(given, mine, cap_slots);
    atk_tally t{};
    const Message m{Message_tag{1, 1}, {0xf0f0}};
    for (uint64_t slot = 1; slot < cap_slots; ++slot) {
        if (mine[slot]) continue;
        atk_probed(&t, cap_info(slot).status);
        atk_probed(&t, ipc_send(slot, m, timeout_zero));
        atk_probed(&t, ipc_recv(slot, timeout_zero).status);
        atk_probed(&t, notify_signal(slot));
        atk_probed(&t, notify_poll(slot).status);
        Syscall_registers r;
        r.r[0] = slot;
        atk_probed(&t, sys::comm_info(r));
    }
    (void)notify_signal(slot_done_signal);
    atk_print_attacker("forge", "native", name, t.attempts, t.accepted, &t.errors, 0, "limit");
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
