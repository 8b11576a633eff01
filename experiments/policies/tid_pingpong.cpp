// Ping-pong by thread id (classic L4 addressing; docs/native-ipc.md): the client calls the
// server's thread id and the server echoes with reply_recv, for each message size, under the
// run's policy and whatever chiefs and monitors it sets (docs/policies.md, the policy_cost
// experiment). The first call is reported on its own (a reference monitor's exception comes
// with it), then the steady state; each row says how many IPCs the overseers on the path
// added per round trip.
//
// usage: tid_pingpong server
//            slot 2: its endpoint (receive), bound as its inbox. Answers the setup call
//            (through the capability: MR0 the client's thread id) with its own thread id,
//            then echoes every call by thread id: the same registers, label_echo when the
//            sender is the client the setup named and the message was not redirected,
//            label_wrong_sender otherwise
//        tid_pingpong client [--sizes 0,8] [--reps N] [--warmup N] [--overseer SLOT]...
//            slot 2: the server's endpoint (send). --overseer: a capability to the inbox of a
//            chief or monitor (experiments/policies/overseer.hpp) whose counts to ask before
//            and after each measurement: `policy_ipcs` of a row is what they added, per
//            round trip. Messages of up to 512 bytes, in message registers.
// A call answered with overseer::label_refused prints {"type":"refused",...} and ends the
// client with status 6: a refused pair cannot be measured.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common/bench_stats.h"
#include "experiments/policies/overseer.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_server = 2;
constexpr uint64_t label_setup = 1, label_echo = 2, label_wrong_sender = 3;
constexpr size_t max_sizes = 32, max_overseers = 8;
constexpr size_t register_bytes = max_message_registers * sizeof(uint64_t);

[[noreturn]] void server() {
    if (Status s = ipc_bind_inbox(slot_server); s != Status::ok) {
        fprintf(stderr, "tid_pingpong server: cannot bind its inbox: %s\n", status_name(s));
        exit(1);
    }
    const uint64_t self = thread_self().id;
    uint64_t client = 0;
    Received m = ipc_recv(slot_server);
    for (;;) {
        if (m.status != Status::ok) {
            fprintf(stderr, "tid_pingpong server: receive failed: %s\n", status_name(m.status));
            exit(1);
        }
        Message out{Message_tag{label_setup, 1}, {self}};
        if (!m.message.tag.by_thread_id()) {
            client = m.message.mr[0];
        } else { // MR4.. are still in the UTCB, where the echo takes them from
            const bool right = m.badge == client && !m.message.tag.redirected();
            out = m.message;
            out.tag = Message_tag{right ? label_echo : label_wrong_sender, m.message.tag.length()};
        }
        m = ipc_reply_recv(slot_server, out);
    }
}

struct Client {
    uint64_t self = 0, server = 0;
    uint64_t overseers[max_overseers] = {};
    size_t n_overseers = 0;

    /// The IPCs the overseers have made on behalf of others so far.
    uint64_t overseer_ipcs() const {
        uint64_t n = 0;
        for (size_t i = 0; i < n_overseers; ++i) {
            Received r = ipc_call(overseers[i], Message{Message_tag{0, 0}, {}});
            if (r.status != Status::ok) {
                fprintf(stderr, "tid_pingpong client: overseer in slot %lu: %s\n",
                        (unsigned long)overseers[i], status_name(r.status));
                exit(1);
            }
            n += r.message.mr[0];
        }
        return n;
    }

    /// One round trip of `bytes` (pattern of repetition `rep`) by thread id; its cost in
    /// guest instructions, and in `verified` whether the echo came back right from the right
    /// sender.
    uint64_t round_trip(size_t bytes, long rep, bool& verified) const {
        const unsigned words = unsigned((bytes + 7) / 8);
        uint64_t w[max_message_registers] = {};
        unsigned char* p = reinterpret_cast<unsigned char*>(w);
        for (size_t i = 0; i < bytes; ++i)
            p[i] = bench_pattern(size_t(rep), i);
        Message m{Message_tag{label_echo, words}, {}};
        Utcb& u = utcb();
        for (unsigned i = 0; i < words; ++i)
            (i < mr_in_registers ? m.mr[i] : u.mr[i]) = w[i];
        const uint64_t t0 = bench_rdtsc();
        const Received r = ipc_call_tid(server, m);
        const uint64_t t1 = bench_rdtsc();
        if (r.status != Status::ok) {
            fprintf(stderr, "tid_pingpong client: call failed: %s\n", status_name(r.status));
            exit(1);
        }
        if (r.message.tag.label() == overseer::label_refused) refused(r);
        for (unsigned i = 0; i < words; ++i)
            if ((i < mr_in_registers ? r.message.mr[i] : u.mr[i]) != w[i]) verified = false;
        if (r.message.tag.label() != label_echo || r.message.tag.length() != words)
            verified = false;
        return t1 - t0;
    }

    [[noreturn]] void refused(const Received& r) const {
        printf("{\"type\":\"refused\",\"experiment\":\"policy_cost\",\"policy\":\"%s\",\"client\":%"
               "llu,"
               "\"server\":%llu,\"status\":\"%s\"}\n",
               bench_env("IPCLAB_POLICY", "none"), (unsigned long long)self,
               (unsigned long long)server, status_name(Status(r.message.mr[0])));
        fflush(stdout);
        exit(6);
    }
};

/// A result line (bench_stats.h's fields) with `policy_ipcs`: the IPCs the overseers added
/// per round trip (two decimals; 0 without overseers).
void print_row(const char* transport, size_t bytes, size_t iterations, size_t warmup,
               const bench_stats& s, double policy_ipcs, bool verified) {
    printf("{\"type\":\"result\",\"experiment\":\"policy_cost\",\"layer\":\"native\",\"transport\":"
           "\"%s\","
           "\"policy\":\"%s\",\"commit\":\"%s\",\"unit\":\"%s\",\"bytes\":%zu,\"iterations\":%zu,"
           "\"warmup\":%zu,"
           "\"min\":%llu,\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,\"mean\":%.1f,"
           "\"stddev\":%.1f,"
           "\"policy_ipcs\":%.2f,\"verified\":%s}\n",
           transport, bench_env("IPCLAB_POLICY", "none"), bench_env("IPCLAB_COMMIT", "unknown"),
           bench_env("IPCLAB_UNIT", "tsc_ticks"), bytes, iterations, warmup,
           (unsigned long long)s.min, (unsigned long long)s.p10, (unsigned long long)s.median,
           (unsigned long long)s.p90, (unsigned long long)s.max, s.mean, s.stddev, policy_ipcs,
           verified ? "true" : "false");
    fflush(stdout);
}

int client(Client& c, const size_t* sizes, int nsizes, long reps, long warmup) {
    c.self = thread_self().id;
    Received setup = ipc_call(slot_server, Message{Message_tag{label_setup, 1}, {c.self}});
    if (setup.status != Status::ok) {
        fprintf(stderr, "tid_pingpong client: setup call failed: %s\n", status_name(setup.status));
        return 1;
    }
    c.server = setup.message.mr[0];
    auto* samples = static_cast<uint64_t*>(malloc(sizeof(uint64_t) * size_t(reps)));
    if (!samples) return fprintf(stderr, "tid_pingpong client: out of memory\n"), 3;

    bool verified = true;
    uint64_t before = c.overseer_ipcs();
    samples[0] = c.round_trip(sizes[0], 0, verified);
    bench_stats first = bench_summarise(samples, 1);
    print_row("call_tid/reply_recv, first call", sizes[0], 1, 0, first,
              double(c.overseer_ipcs() - before), verified);

    int failures = !verified;
    for (int s = 0; s < nsizes; ++s) {
        verified = true;
        for (long rep = 0; rep < warmup; ++rep)
            (void)c.round_trip(sizes[s], rep, verified);
        before = c.overseer_ipcs();
        for (long rep = 0; rep < reps; ++rep)
            samples[rep] = c.round_trip(sizes[s], warmup + rep, verified);
        const double added = double(c.overseer_ipcs() - before) / double(reps);
        bench_stats st = bench_summarise(samples, size_t(reps));
        print_row("call_tid/reply_recv, message registers", sizes[s], size_t(reps), size_t(warmup),
                  st, added, verified);
        failures += !verified;
    }
    if (failures) fprintf(stderr, "tid_pingpong client: %d sizes came back wrong\n", failures);
    return failures ? 4 : 0;
}

long number(const char* text, const char* what, long least) {
    char* end;
    const long v = strtol(text, &end, 10);
    if (*end || end == text || v < least) {
        fprintf(stderr, "tid_pingpong: bad %s '%s'\n", what, text);
        exit(2);
    }
    return v;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && !strcmp(argv[1], "server")) server();
    if (argc < 2 || strcmp(argv[1], "client") != 0) {
        fprintf(stderr,
                "usage: tid_pingpong server | client [--sizes LIST] [--reps N] [--warmup N] "
                "[--overseer SLOT]...\n");
        return 2;
    }
    size_t sizes[max_sizes] = {0, 8};
    int nsizes = 2;
    long reps = 1000, warmup = 100;
    Client c;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char* value = argv[i + 1];
        if (!strcmp(argv[i], "--sizes")) {
            nsizes = bench_parse_sizes(value, sizes, int(max_sizes));
            for (int s = 0; s < nsizes; ++s)
                if (sizes[s] > register_bytes) nsizes = -1;
            if (nsizes <= 0)
                return fprintf(stderr, "tid_pingpong: bad --sizes '%s' (0..512 bytes)\n", value), 2;
        } else if (!strcmp(argv[i], "--reps")) {
            reps = number(value, "--reps", 1);
        } else if (!strcmp(argv[i], "--warmup")) {
            warmup = number(value, "--warmup", 0);
        } else if (!strcmp(argv[i], "--overseer") && c.n_overseers < max_overseers) {
            c.overseers[c.n_overseers++] = uint64_t(number(value, "--overseer", 1));
        } else {
            return fprintf(stderr, "tid_pingpong: unknown argument '%s'\n", argv[i]), 2;
        }
    }
    if ((argc - 2) % 2)
        return fprintf(stderr, "tid_pingpong: '%s' needs a value\n", argv[argc - 1]), 2;
    return client(c, sizes, nsizes, reps, warmup);
}
