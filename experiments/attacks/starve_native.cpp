// starve over native IPC (docs/attacks.md), two ways:
//  (a) a client calls a server that never receives: with an infinite timeout it is blocked
//      for good, with a finite one (--timeout-ns) the call fails with timed_out;
//  (b) a malicious client sends a request (ipc_send: it never takes a reply) and the server
//      answers it as it answers everyone, with a reply, which never blocks (seL4's reply
//      goes to a caller waiting for it or nowhere); a legitimate client's call that follows
//      is served.
//
// usage: attack_starve_native victim NAME [--timeout-ns N]
//            (a) the caller: slot 2 the silent server's endpoint (send), slot 3 "release"
//            (send); infinite timeout unless --timeout-ns
//        attack_starve_native silent NAME
//            (a) the server that never receives: slot 2 its endpoint (receive, unused),
//            slot 3 "release" (receive): it waits there until the victim gave up
//        attack_starve_native server NAME
//            (b) slot 2 its endpoint (receive), slot 3 "release" (send): answers two
//            requests with ipc_reply, then releases the malicious client
//        attack_starve_native sender NAME
//            (b) the malicious client: slot 2 the server's endpoint (send), slot 3
//            "release" (receive)
//        attack_starve_native client NAME
//            (b) the legitimate client: slot 2 the server's endpoint (send)
#include <stdlib.h>
#include <string.h>

#include "experiments/attacks/attack_report.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_endpoint = 2, slot_release = 3;
const Message request{Message_tag{1, 1}, {7}};

void print_blocked(const char* role, const char* name, unsigned long long received, Status result,
                   uint64_t blocked, atk_errors& errors) {
    atk_line l;
    atk_begin(&l, "starve", "native", role, name);
    atk_count(&l, "received", received);
    atk_count(&l, "violations", 0);
    atk_string(&l, "result", status_name(result));
    atk_count(&l, "blocked_instructions", blocked);
    atk_error_field(&l, &errors);
    atk_end(&l);
}

void print_attacker(const char* name, unsigned long long accepted, const char* stopped_by,
                    atk_errors& errors) {
    atk_line l;
    atk_begin(&l, "starve", "native", "attacker", name);
    atk_count(&l, "attempts", 1);
    atk_count(&l, "accepted", accepted);
    atk_error_field(&l, &errors);
    atk_count(&l, "buffer_peak_bytes", 0);
    atk_string(&l, "stopped_by", stopped_by);
    atk_end(&l);
}

void victim(const char* name, uint64_t timeout) {
    atk_errors errors{};
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(slot_endpoint, request, timeout);
    uint64_t blocked = bench_rdtsc() - t0;
    if (r.status != Status::ok) atk_error(&errors, status_name(r.status));
    print_blocked("victim", name, 0, r.status, blocked, errors);
    (void)notify_signal(slot_release);
}

void silent(const char* name) {
    atk_errors errors{};
    Notified n = notify_wait(slot_release); // never ipc_recv on its endpoint
    if (n.status != Status::ok) atk_error(&errors, status_name(n.status));
    print_attacker(name, 0, "victim_gave_up", errors);
}

void server(const char* name) {
    atk_errors errors{};
    unsigned long long received = 0;
    Status first_reply = Status::ok;
    uint64_t blocked = 0;
    for (int i = 0; i < 2; ++i) { // the malicious request, then the legitimate one
        Received m = ipc_recv(slot_endpoint);
        if (m.status != Status::ok) {
            atk_error(&errors, status_name(m.status));
            break;
        }
        ++received;
        uint64_t t0 = bench_rdtsc();
        Status s = ipc_reply(Message{Message_tag{2, 1}, {m.message.mr[0]}});
        if (i == 0) first_reply = s, blocked = bench_rdtsc() - t0;
        if (s != Status::ok) atk_error(&errors, status_name(s));
    }
    // result: what answering the malicious client did to the server (no_reply_capability:
    // it sent, not called, so the reply went nowhere, without blocking).
    print_blocked("victim", name, received, first_reply, blocked, errors);
    (void)notify_signal(slot_release);
}

void sender(const char* name) {
    atk_errors errors{};
    Status s = ipc_send(slot_endpoint, request); // and never a receive for the reply
    if (s != Status::ok) atk_error(&errors, status_name(s));
    Notified n = notify_wait(slot_release);
    if (n.status != Status::ok) atk_error(&errors, status_name(n.status));
    print_attacker(name, s == Status::ok, "server_went_on", errors);
}

void client(const char* name) {
    atk_errors errors{};
    atk_spin(1000000); // the malicious client asks first
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(slot_endpoint, request);
    uint64_t rt = bench_rdtsc() - t0;
    if (r.status != Status::ok) atk_error(&errors, status_name(r.status));
    atk_line l;
    atk_begin(&l, "starve", "native", "client", name);
    atk_count(&l, "round_trips_before", 0);
    atk_put(&l, ",\"rt_median_before\":null");
    atk_count(&l, "round_trips_during", r.status == Status::ok);
    atk_count(&l, "rt_median_during", rt);
    atk_count(&l, "failed", r.status != Status::ok);
    atk_error_field(&l, &errors);
    atk_end(&l);
}

} // namespace

int main(int argc, char** argv) {
    uint64_t timeout = timeout_infinite;
    for (int i = 3; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--timeout-ns")) timeout = strtoull(argv[i + 1], nullptr, 10);
    if (argc < 3 || timeout == 0) {
        fprintf(stderr, "usage: attack_starve_native victim|silent|server|sender|client NAME "
                        "[--timeout-ns N>0]\n");
        return 2;
    }
    const char* role = argv[1];
    if (!strcmp(role, "victim"))
        victim(argv[2], timeout);
    else if (!strcmp(role, "silent"))
        silent(argv[2]);
    else if (!strcmp(role, "server"))
        server(argv[2]);
    else if (!strcmp(role, "sender"))
        sender(argv[2]);
    else if (!strcmp(role, "client"))
        client(argv[2]);
    else
        return fprintf(stderr, "attack_starve_native: unknown role '%s'\n", role), 2;
    return 0;
}
