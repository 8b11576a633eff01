// dos-flood over native IPC (docs/attacks.md): the attacker floods zero-timeout sends at an
// endpoint of server A that nobody receives on, and signals at a notification nobody waits
// on, while two clients keep calling servers A and B. Native IPC buffers nothing (seeds/002):
// a send with a zero timeout fails with would_block unless a receiver waits, a signal ORs a
// bit into a word.
//
// usage: attack_dos_native server NAME        slot 2: its endpoint (receive)
//        attack_dos_native client NAME [--rounds N]
//                                              slot 2: its server's endpoint (send), slot 3:
//                                              notification "go" (send, its own badge bit),
//                                              slot 4: its "done" notification (receive)
//        attack_dos_native attacker NAME [--limit N]
//                                              slot 2: the endpoint nobody receives on (send),
//                                              slot 3: the notification nobody waits on (send),
//                                              slot 4: "go" (receive), slots 5, 6: the clients'
//                                              "done" notifications (send)
// The clients measure --rounds calls (default 200) before the flood, signal "go", and call
// on until the attacker has signalled "done" (at least --rounds, at most 20000 calls). The
// attacker makes --limit attempts (default 200000), sends and signals in turn.
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_report.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_endpoint = 2, slot_go = 3, slot_done = 4;
constexpr uint64_t slot_junk = 2, slot_signal = 3, slot_go_wait = 4, slot_done_a = 5,
                   slot_done_b = 6;
constexpr uint64_t label_request = 1, label_stop = 2;
constexpr uint64_t clients_bits = 3; // the badges of the two clients' "go" capabilities
constexpr long max_during = 20000;

uint64_t before[max_during], during[max_during];

void record(atk_errors& e, Status s) {
    atk_error(&e, status_name(s));
}

void server(const char* name) {
    atk_errors errors{};
    unsigned long long received = 0;
    Received m = ipc_recv(slot_endpoint);
    for (long i = 0; i < 10 * max_during + 100; ++i) { // bounded: the client calls fewer times
        if (m.status != Status::ok) {
            record(errors, m.status);
            break;
        }
        if (m.message.tag.label() == label_stop) {
            if (Status s = ipc_reply(Message{Message_tag{label_stop, 0}, {}}); s != Status::ok)
                record(errors, s);
            break;
        }
        ++received;
        m = ipc_reply_recv(slot_endpoint,
                           Message{Message_tag{label_request, 1}, {m.message.mr[0]}});
    }
    atk_print_server("dos-flood", "native", name, received, 0, errors.kinds ? errors.name[0] : "ok",
                     &errors);
}

uint64_t round_trip(atk_errors& errors) {
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(slot_endpoint, Message{Message_tag{label_request, 1}, {42}});
    uint64_t t = bench_rdtsc() - t0;
    if (r.status == Status::ok) return t;
    record(errors, r.status);
    return 0;
}

void client(const char* name, long rounds) {
    atk_errors errors{};
    unsigned long long failed = 0;
    size_t n_before = 0, n_during = 0;
    for (long i = 0; i < rounds; ++i) {
        if (uint64_t t = round_trip(errors))
            before[n_before++] = t;
        else
            ++failed;
    }
    if (Status s = notify_signal(slot_go); s != Status::ok) record(errors, s), ++failed;
    bool done = false;
    for (long i = 0; i < max_during && !(done && i >= rounds); ++i) {
        if (uint64_t t = round_trip(errors))
            during[n_during++] = t;
        else
            ++failed;
        if (!done) done = notify_poll(slot_done).word != 0;
    }
    if (!done) (void)notify_wait(slot_done);
    Received r = ipc_call(slot_endpoint, Message{Message_tag{label_stop, 0}, {}});
    if (r.status != Status::ok) record(errors, r.status), ++failed;
    const atk_round_trips rt{n_before, n_during, atk_median_of(before, n_before),
                             atk_median_of(during, n_during)};
    atk_print_client("dos-flood", "native", name, &rt, failed, &errors);
}

/// Bytes of kernel memory buffering this task's messages now (comm_buffer_usage): native IPC
/// never buffers, so this stays 0; asked anyway, as the MPI attacker asks.
unsigned long long buffered(unsigned long long* peak) {
    Syscall_registers r;
    (void)sys::comm_buffer_usage(r);
    if (peak) *peak = r.r[1];
    return r.r[0];
}

void attacker(const char* name, long limit) {
    static atk_sampler samples;
    atk_errors errors{};
    unsigned long long attempts = 0, accepted = 0;
    uint64_t seen = 0;
    // Wait until both clients have measured without the flood.
    for (int i = 0; i < 64 && (seen & clients_bits) != clients_bits; ++i) {
        Notified n = notify_wait(slot_go_wait);
        if (n.status != Status::ok) break;
        seen |= n.word;
    }
    const Message junk{Message_tag{7, 4}, {1, 2, 3, 4}};
    while (attempts < static_cast<unsigned long long>(limit)) {
        Status s =
            ++attempts % 2 ? ipc_send(slot_junk, junk, timeout_zero) : notify_signal(slot_signal);
        if (s == Status::ok)
            ++accepted;
        else
            record(errors, s);
        if (atk_sample_due(&samples, attempts))
            atk_sample(&samples, bench_rdtsc(), attempts, buffered(nullptr));
    }
    unsigned long long peak = 0;
    (void)buffered(&peak);
    (void)notify_signal(slot_done_a);
    (void)notify_signal(slot_done_b);
    atk_print_samples(&samples, "dos-flood", "native");
    atk_print_attacker("dos-flood", "native", name, attempts, accepted, &errors, peak, "limit");
}

} // namespace

int main(int argc, char** argv) {
    long rounds = 200, limit = 200000;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rounds"))
            rounds = strtol(argv[i + 1], nullptr, 10);
        else if (!strcmp(argv[i], "--limit"))
            limit = strtol(argv[i + 1], nullptr, 10);
    }
    if (argc < 3 || rounds < 1 || rounds > max_during || limit < 1) {
        fprintf(
            stderr,
            "usage: attack_dos_native server|client|attacker NAME [--rounds 1..%ld] [--limit N]\n",
            max_during);
        return 2;
    }
    if (!strcmp(argv[1], "server"))
        server(argv[2]);
    else if (!strcmp(argv[1], "client"))
        client(argv[2], rounds);
    else if (!strcmp(argv[1], "attacker"))
        attacker(argv[2], limit);
    else
        return fprintf(stderr, "attack_dos_native: unknown role '%s'\n", argv[1]), 2;
    return 0;
}
