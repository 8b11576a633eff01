// unauthorized over native IPC (docs/attacks.md): a task with no capability to a server's
// endpoint tries to send to it, through every capability slot and by thread id.
//
// usage: attack_unauthorized_native server NAME [--inbox]
//            slot 2: its endpoint (receive); --inbox also binds it as the thread's inbox
//            (ipc_bind_inbox), which opts in to messages sent to its thread id from anyone.
//            Receives until the client's end mark; a message that is not the client's
//            (badge 1, not by thread id) is a violation
//        attack_unauthorized_native client NAME [--tries N]
//            slot 2: the server's endpoint (send, badge 1), slot 3: "done" (receive): once
//            the attacker is done, N sends and an end mark
//        attack_unauthorized_native attacker NAME
//            slot 2: "done" (send), nothing else: sends with a 1 ms timeout through every
//            other slot 1..255 and to every thread id 1..256 but its own, then signals "done"
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_native.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_endpoint = 2, slot_done = 3, slot_done_signal = 2;
constexpr uint64_t client_badge = 1, label_request = 1, label_end = 2;
constexpr uint64_t try_timeout_ns = 1000000; // long enough for a receiving server to take it
constexpr uint64_t max_thread_id = 256;

void server(const char* name, bool inbox) {
    atk_errors errors{};
    unsigned long long received = 0, violations = 0;
    if (inbox)
        if (Status s = ipc_bind_inbox(slot_endpoint); s != Status::ok)
            atk_error(&errors, status_name(s));
    for (int i = 0; i < 10000; ++i) { // bounded: the client and the attacker send fewer
        Received m = ipc_recv(slot_endpoint);
        if (m.status != Status::ok) {
            atk_error(&errors, status_name(m.status));
            break;
        }
        const bool from_client = m.badge == client_badge && !m.message.tag.by_thread_id();
        if (from_client && m.message.tag.label() == label_end) break;
        ++received;
        violations += !from_client;
    }
    atk_print_server("unauthorized", "native", name, received, violations, "ok", &errors);
}

void client(const char* name, int tries) {
    atk_native_client("unauthorized", name, slot_endpoint, slot_done, tries, [](int i, bool end) {
        return Message{Message_tag{end ? label_end : label_request, 1}, {uint64_t(i)}};
    });
}

void attacker(const char* name) {
    atk_tally t{};
    const Message m{Message_tag{label_request, 1}, {0xbad}};
    for (uint64_t slot = 1; slot < cap_slots; ++slot)
        if (slot != slot_done_signal) atk_tried(&t, ipc_send(slot, m, try_timeout_ns));
    const uint64_t self = thread_self().id;
    for (uint64_t id = 1; id <= max_thread_id; ++id)
        if (id != self) atk_tried(&t, ipc_send_tid(id, m, try_timeout_ns));
    (void)notify_signal(slot_done_signal);
    atk_print_attacker("unauthorized", "native", name, t.attempts, t.accepted, &t.errors, 0,
                       "limit");
}

} // namespace

int main(int argc, char** argv) {
    bool inbox = false;
    int tries = 8;
    for (int i = 3; i < argc; ++i) {
        if (!strcmp(argv[i], "--inbox"))
            inbox = true;
        else if (!strcmp(argv[i], "--tries") && i + 1 < argc)
            tries = int(strtol(argv[++i], nullptr, 10));
    }
    if (argc < 3 || tries < 1 || tries > 1000) {
        fprintf(stderr, "usage: attack_unauthorized_native server|client|attacker NAME [--inbox] "
                        "[--tries 1..1000]\n");
        return 2;
    }
    if (!strcmp(argv[1], "server"))
        server(argv[2], inbox);
    else if (!strcmp(argv[1], "client"))
        client(argv[2], tries);
    else if (!strcmp(argv[1], "attacker"))
        attacker(argv[2]);
    else
        return fprintf(stderr, "attack_unauthorized_native: unknown role '%s'\n", argv[1]), 2;
    return 0;
}
