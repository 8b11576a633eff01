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

#include "experiments/attacks/attack_native.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_endpoint = 2, slot_release = 3;
const Message request{Message_tag{1, 1}, {7}};

void victim(const char* name, uint64_t timeout) {
    atk_errors errors{};
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(slot_endpoint, request, timeout);
    uint64_t blocked = bench_rdtsc() - t0;
    if (r.status != Status::ok) atk_error(&errors, status_name(r.status));
    atk_print_victim("starve", "native", name, 0, status_name(r.status), blocked, &errors);
    (void)notify_signal(slot_release);
}

void silent(const char* name) {
    atk_errors errors{};
    Notified n = notify_wait(slot_release); // never ipc_recv on its endpoint
    if (n.status != Status::ok) atk_error(&errors, status_name(n.status));
    atk_print_attacker("starve", "native", name, 1, 0, &errors, 0, "victim_gave_up");
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
    atk_print_victim("starve", "native", name, received, status_name(first_reply), blocked,
                     &errors);
    (void)notify_signal(slot_release);
}

void sender(const char* name) {
    atk_errors errors{};
    Status s = ipc_send(slot_endpoint, request); // and never a receive for the reply
    if (s != Status::ok) atk_error(&errors, status_name(s));
    Notified n = notify_wait(slot_release);
    if (n.status != Status::ok) atk_error(&errors, status_name(n.status));
    atk_print_attacker("starve", "native", name, 1, s == Status::ok, &errors, 0, "server_went_on");
}

void client(const char* name) {
    atk_errors errors{};
    atk_spin(1000000); // the malicious client asks first
    uint64_t t0 = bench_rdtsc();
    Received r = ipc_call(slot_endpoint, request);
    const atk_round_trips rt{0, r.status == Status::ok, ATK_NO_FIGURE, bench_rdtsc() - t0};
    if (r.status != Status::ok) atk_error(&errors, status_name(r.status));
    atk_print_client("starve", "native", name, &rt, r.status != Status::ok, &errors);
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
