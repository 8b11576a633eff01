// spoof over native IPC (docs/attacks.md): a client tries to send under another client's
// badge. The badge is the server's per-client datum (seeds/003), set by whoever derived the
// capability; a badged capability keeps its badge (seL4's Mint), and the by-thread-id tag
// bit is the kernel's to set.
//
// usage: attack_spoof_native server NAME
//            slot 2: its endpoint (receive). Receives until the client's end mark; MR0 of
//            every message names its true author (the measurement's bookkeeping, not a
//            claim): a message whose badge is not its author's is a violation
//        attack_spoof_native client NAME [--tries N]
//            slot 2: the server's endpoint (send, badge 1), slot 3: "done" (receive)
//        attack_spoof_native attacker NAME
//            slot 2: the server's endpoint (send, badge 3), slot 3: "done" (send). Claims
//            badge 1 in the payload; re-badges its capability to 1 (cap_derive) and sends
//            through it if allowed; sends with the kernel's by-thread-id tag bit set; sends
//            through a plain copy of its capability
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_native.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_endpoint = 2, slot_done = 3, slot_rebadged = 10, slot_copy = 11;
constexpr uint64_t client_badge = 1, attacker_badge = 3, label_message = 1, label_end = 2;

/// MR0: the true author's badge (bookkeeping); MR1: the badge the message claims.
Message message(uint64_t label, uint64_t author, uint64_t claimed) {
    return Message{Message_tag{label, 2}, {author, claimed}};
}

void server(const char* name) {
    atk_errors errors{};
    unsigned long long received = 0, violations = 0;
    for (int i = 0; i < 10000; ++i) { // bounded: the others send fewer
        Received m = ipc_recv(slot_endpoint);
        if (m.status != Status::ok) {
            atk_error(&errors, status_name(m.status));
            break;
        }
        if (m.badge == client_badge && m.message.tag.label() == label_end) break;
        ++received;
        violations += m.badge != m.message.mr[0] || m.message.tag.by_thread_id();
    }
    atk_print_server("spoof", "native", name, received, violations, "ok", &errors);
}

void client(const char* name, int tries) {
    atk_native_client("spoof", name, slot_endpoint, slot_done, tries, [](int, bool end) {
        return message(end ? label_end : label_message, client_badge, client_badge);
    });
}

void attacker(const char* name) {
    atk_tally t{};
    const Message claim = message(label_message, attacker_badge, client_badge);
    atk_tried(&t, ipc_send(slot_endpoint, claim)); // the claim in the payload only
    if (atk_tried(&t, cap_derive(slot_endpoint, slot_rebadged, right_send, client_badge)))
        atk_tried(&t, ipc_send(slot_rebadged, claim));
    const Message as_thread{claim.tag.with(Message_tag::by_thread_id_bit, true),
                            {attacker_badge, client_badge}};
    atk_tried(&t,
              ipc_send(slot_endpoint, as_thread)); // pretend the kernel addressed it by thread id
    if (atk_tried(&t, cap_derive(slot_endpoint, slot_copy, right_send, 0)))
        atk_tried(&t, ipc_send(slot_copy, claim));
    (void)notify_signal(slot_done);
    atk_print_attacker("spoof", "native", name, t.attempts, t.accepted, &t.errors, 0, "limit");
}

} // namespace

int main(int argc, char** argv) {
    int tries = 8;
    if (argc > 4 && !strcmp(argv[3], "--tries")) tries = int(strtol(argv[4], nullptr, 10));
    if (argc < 3 || tries < 1 || tries > 1000) {
        fprintf(stderr,
                "usage: attack_spoof_native server|client|attacker NAME [--tries 1..1000]\n");
        return 2;
    }
    if (!strcmp(argv[1], "server"))
        server(argv[2]);
    else if (!strcmp(argv[1], "client"))
        client(argv[2], tries);
    else if (!strcmp(argv[1], "attacker"))
        attacker(argv[2]);
    else
        return fprintf(stderr, "attack_spoof_native: unknown role '%s'\n", argv[1]), 2;
    return 0;
}
