// The IPC micro-benchmark, in the manner of sel4bench's IPC benchmark: one-way costs of
// call, reply_recv, send and notification signal, by message length and for long IPC, in
// different or the same address space; the measurement overhead measured and subtracted,
// warm-ups discarded; and the scaling case (round trip by capability vs by thread id with
// many tasks or clients alive).
//
// usage: ipc_bench client [--same-as] [--reps N] [--warmup N]
//        ipc_bench client --scaling --tasks T --clients C [--reps N] [--warmup N]
//        ipc_bench server | idle | passive
// Capabilities: slot 2 the endpoint (client: send + grant; server: receive; same-as client:
// all), slot 3 the notification (client: send; server: receive), slot 4 the idle tasks'
// notification (receive). One JSON line per case (see print_case).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common/bench_stats.h"
#include "ipclab/ipc.hpp"
#include "protocol.hpp"
#include "server.hpp"
#include "timed_syscall.hpp"

using namespace bench;
using ipclab::Message_tag;
using ipclab::Syscall;
using ipclab::Syscall_registers;

namespace {

constexpr uint64_t slot_idle = 4;

struct Options {
    bool same_as = false, scaling = false;
    long reps = 1000, warmup = 100, tasks = 2, clients = 1;
};

alignas(4096) Results results_page;
alignas(64) unsigned char string_out[ipclab::max_string_bytes];
alignas(16) unsigned char server_stack[64 * 1024];

Results* results = &results_page;
uint64_t next_message;   ///< the server's index of the next message we send
uint64_t overhead;       ///< median cost of the time-stamp sequence without the system call
uint64_t server_tid;
const char* layout = "different";
Options opt;

uint64_t* samples(size_t n) {
    static uint64_t* buffer[3];
    static size_t slot;
    uint64_t*& b = buffer[slot++ % 3];
    free(b);
    b = static_cast<uint64_t*>(malloc(n * sizeof(uint64_t)));
    if (!b) exit(3);
    return b;
}

/// One result line: `metric` is one_way or round_trip; figures are guest instructions with
/// the measurement overhead already subtracted.
void print_case(const char* op, const char* metric, unsigned words, size_t bytes, uint64_t* v, size_t n) {
    bench_stats s = bench_summarise(v, n);
    printf("{\"type\":\"result\",\"experiment\":\"ipc_bench\",\"op\":\"%s\",\"metric\":\"%s\",\"words\":%u,"
           "\"bytes\":%zu,\"address_spaces\":\"%s\",\"tasks\":%ld,\"clients\":%ld,\"iterations\":%zu,"
           "\"warmup\":%ld,\"overhead\":%llu,\"policy\":\"%s\",\"commit\":\"%s\",\"unit\":\"%s\",\"min\":%llu,"
           "\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,\"mean\":%.1f,\"stddev\":%.1f}\n",
           op, metric, words, bytes, layout, opt.tasks, opt.clients, n, opt.warmup, (unsigned long long)overhead,
           bench_env("IPCLAB_POLICY", "none"), bench_env("IPCLAB_COMMIT", "unknown"),
           bench_env("IPCLAB_UNIT", "tsc_ticks"), (unsigned long long)s.min, (unsigned long long)s.p10,
           (unsigned long long)s.median, (unsigned long long)s.p90, (unsigned long long)s.max, s.mean, s.stddev);
    fflush(stdout);
}

uint64_t diff(uint64_t later, uint64_t earlier) { return later - earlier > overhead ? later - earlier - overhead : 0; }

/// A call of `words` message registers (and a string of `bytes` if non-zero).
Syscall_registers call_message(uint64_t label, unsigned words, size_t bytes) {
    ipclab::Utcb& u = ipclab::utcb();
    for (unsigned i = ipclab::mr_in_registers; i < words; ++i) u.mr[i] = i;
    if (bytes) {
        u.send_string_addr = reinterpret_cast<uint64_t>(string_out);
        u.send_string_bytes = bytes;
    }
    Syscall_registers r;
    r.r[0] = slot_endpoint;
    r.r[1] = Message_tag{label, words, bytes != 0}.raw();
    for (unsigned i = 0; i < ipclab::mr_in_registers; ++i) r.r[2 + i] = i + 1;
    return r;
}

/// A plain call whose arrival guarantees the server has written the stamps of every earlier
/// message (it writes reply_before after its reply_recv returns).
void flush() {
    Syscall_registers r = call_message(label_call, 0, 0);
    if (ipclab::sys::ipc_call(r) != ipclab::Status::ok) exit(4);
    ++next_message;
}

void measure_overhead() {
    const size_t n = size_t(opt.warmup + opt.reps);
    uint64_t* v = samples(n);
    for (size_t i = 0; i < n; ++i) {
        Syscall_registers r;
        Stamps s;
        (void)timed_syscall<false>(Syscall::ipc_call, r, s);
        v[i] = s.after - s.before;
    }
    overhead = bench_summarise(v + opt.warmup, size_t(opt.reps)).median;
}

/// call one-way, reply_recv one-way and their sum, for `words` registers and `bytes` of string.
void bench_call(unsigned words, size_t bytes) {
    const size_t n = size_t(opt.reps), w = size_t(opt.warmup);
    uint64_t* before = samples(n + w);
    uint64_t* after = samples(n + w);
    const uint64_t first = next_message;
    for (size_t i = 0; i < n + w; ++i) {
        Syscall_registers r = call_message(label_call, words, bytes);
        Stamps s;
        if (timed_syscall<true>(Syscall::ipc_call, r, s) != ipclab::Status::ok) exit(4);
        before[i] = s.before;
        after[i] = s.after;
        ++next_message;
    }
    flush();
    uint64_t* call = samples(n);
    uint64_t* reply = static_cast<uint64_t*>(malloc(n * sizeof(uint64_t)));
    uint64_t* round = static_cast<uint64_t*>(malloc(n * sizeof(uint64_t)));
    if (!reply || !round) exit(3);
    for (size_t i = 0; i < n; ++i) {
        const uint64_t k = (first + w + i) % results_capacity;
        call[i] = diff(results->arrived[k], before[w + i]);
        reply[i] = diff(after[w + i], results->reply_before[k]);
        round[i] = call[i] + reply[i];
    }
    const char* op = bytes ? "call_long" : "call";
    print_case(op, "one_way", words, bytes, call, n);
    print_case(bytes ? "reply_recv_after_long" : "reply_recv", "one_way", words, 0, reply, n);
    print_case(op, "round_trip", words, bytes, round, n);
    free(reply);
    free(round);
}

/// send one-way to a server of higher priority blocked in recv.
void bench_send() {
    const size_t n = size_t(opt.reps), w = size_t(opt.warmup);
    uint64_t* before = samples(n + w);
    const uint64_t first = next_message;
    for (size_t i = 0; i < n + w; ++i) {
        Syscall_registers r = call_message(label_send, 0, 0);
        Stamps s;
        if (timed_syscall<true>(Syscall::ipc_send, r, s) != ipclab::Status::ok) exit(4);
        before[i] = s.before;
        ++next_message;
    }
    flush();
    uint64_t* v = samples(n);
    for (size_t i = 0; i < n; ++i) v[i] = diff(results->arrived[(first + w + i) % results_capacity], before[w + i]);
    print_case("send", "one_way", 0, 0, v, n);
}

/// Notification signal -> wait one-way: the server (higher priority) waits, we signal.
void bench_signal() {
    const size_t n = size_t(opt.reps), w = size_t(opt.warmup);
    Syscall_registers r = call_message(label_signal, 1, 0);
    r.r[2] = n + w;
    if (ipclab::sys::ipc_call(r) != ipclab::Status::ok) exit(4);
    const uint64_t first = ++next_message;
    uint64_t* before = samples(n + w);
    for (size_t i = 0; i < n + w; ++i) {
        Syscall_registers sig;
        sig.r[0] = slot_notification;
        Stamps s;
        if (timed_syscall<true>(Syscall::notify_signal, sig, s) != ipclab::Status::ok) exit(4);
        before[i] = s.before;
        ++next_message;
    }
    flush();
    uint64_t* v = samples(n);
    for (size_t i = 0; i < n; ++i) v[i] = diff(results->arrived[(first + w + i) % results_capacity], before[w + i]);
    print_case("signal", "one_way", 0, 0, v, n);
}

/// The round trip end to end through the C++ API (stubs included), as a program sees it.
void bench_api_round_trip() {
    const size_t n = size_t(opt.reps), w = size_t(opt.warmup);
    uint64_t* v = samples(n);
    for (size_t i = 0; i < n + w; ++i) {
        const ipclab::Message m{Message_tag{label_call, 0}, {}};
        const uint64_t t0 = bench_rdtsc();
        ipclab::Received got = ipclab::ipc_call(slot_endpoint, m);
        const uint64_t t1 = bench_rdtsc();
        if (got.status != ipclab::Status::ok) exit(4);
        ++next_message;
        if (i >= w) v[i - w] = t1 - t0;
    }
    const uint64_t saved = overhead;
    overhead = 0; // the API figure is end to end: nothing subtracted
    print_case("call_api", "round_trip", 0, 0, v, n);
    overhead = saved;
}

/// Scaling: round trips by capability (the server finds the client's state by its badge) and
/// by thread id (the kernel searches the thread, the server its client table).
void bench_scaling() {
    const size_t n = size_t(opt.reps), w = size_t(opt.warmup);
    Syscall_registers reg;
    reg.r[0] = server_tid;
    reg.r[1] = Message_tag{label_register, 0}.raw();
    if (ipclab::sys::ipc_call_tid(reg) != ipclab::Status::ok) exit(4);
    ++next_message;
    for (int by_tid = 0; by_tid < 2; ++by_tid) {
        uint64_t* v = samples(n);
        for (size_t i = 0; i < n + w; ++i) {
            Syscall_registers r = call_message(by_tid ? label_by_tid : label_by_badge, 0, 0);
            if (by_tid) r.r[0] = server_tid;
            Stamps s;
            if (timed_syscall<true>(by_tid ? Syscall::ipc_call_tid : Syscall::ipc_call, r, s) != ipclab::Status::ok)
                exit(4);
            ++next_message;
            if (i >= w) v[i - w] = diff(s.after, s.before);
        }
        print_case(by_tid ? "call_by_thread_id" : "call_by_capability", "round_trip", 0, 0, v, n);
    }
}

void setup() {
    if (opt.same_as) {
        layout = "same";
        uint64_t id;
        if (ipclab::thread_create(&serve_thread, server_stack + sizeof server_stack,
                                  uint8_t(ipclab::thread_self().priority + 1), reinterpret_cast<uint64_t>(results),
                                  id) != ipclab::Status::ok)
            exit(5);
    }
    Syscall_registers r = call_message(label_setup, 0, 0);
    if (!opt.same_as) { // share the results page with the server
        ipclab::Utcb& u = ipclab::utcb();
        u.send_map_addr = reinterpret_cast<uint64_t>(results);
        u.send_map_pages = results_pages;
        u.send_map_writable = 1;
        r.r[1] = Message_tag{label_setup, 0}.with(Message_tag::map_bit, true).raw();
    }
    ipclab::Status s = ipclab::sys::ipc_call(r);
    if (s != ipclab::Status::ok) {
        fprintf(stderr, "ipc_bench: setup failed: %s\n", ipclab::status_name(s));
        exit(5);
    }
    server_tid = r.r[2];
    ++next_message;
}

int client() {
    if (opt.reps + opt.warmup >= long(results_capacity) - 8) {
        fprintf(stderr, "ipc_bench: at most %lu repetitions with warm-up\n", results_capacity - 9);
        return 2;
    }
    setup();
    measure_overhead();
    if (opt.scaling) {
        bench_scaling();
        return 0;
    }
    static const unsigned words[] = {0, 1, 4, 8, 16, 32, 64};
    static const size_t bytes[] = {64, 256, 1024, 4096, 16384, 65536};
    for (unsigned w : words) bench_call(w, 0);
    for (size_t b : bytes) bench_call(0, b);
    bench_send();
    bench_signal();
    bench_api_round_trip();
    return 0;
}

[[noreturn]] void wait_forever() {
    for (;;) (void)ipclab::notify_wait(slot_idle);
}

/// A client that registers with the server and then only exists (the clients-per-server case).
[[noreturn]] void passive() {
    Syscall_registers r = call_message(label_setup, 0, 0);
    if (ipclab::sys::ipc_call(r) != ipclab::Status::ok) exit(5);
    Syscall_registers reg;
    reg.r[0] = r.r[2];
    reg.r[1] = Message_tag{label_register, 0}.raw();
    (void)ipclab::sys::ipc_call_tid(reg);
    wait_forever();
}

long number(const char* text, const char* what) {
    char* end;
    long v = strtol(text, &end, 10);
    if (*end || v < 0) {
        fprintf(stderr, "ipc_bench: bad %s '%s'\n", what, text);
        exit(2);
    }
    return v;
}

} // namespace

int main(int argc, char** argv) {
    const char* role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "server")) serve(nullptr, true);
    if (!strcmp(role, "idle")) wait_forever();
    if (!strcmp(role, "passive")) passive();
    if (strcmp(role, "client") != 0) {
        fprintf(stderr, "usage: ipc_bench client [--same-as] [--scaling --tasks T --clients C] [--reps N] "
                        "[--warmup N] | server | idle | passive\n");
        return 2;
    }
    for (int i = 2; i < argc; ++i) {
        if (!strcmp(argv[i], "--same-as")) opt.same_as = true;
        else if (!strcmp(argv[i], "--scaling")) opt.scaling = true;
        else if (i + 1 < argc && !strcmp(argv[i], "--reps")) opt.reps = number(argv[++i], "--reps");
        else if (i + 1 < argc && !strcmp(argv[i], "--warmup")) opt.warmup = number(argv[++i], "--warmup");
        else if (i + 1 < argc && !strcmp(argv[i], "--tasks")) opt.tasks = number(argv[++i], "--tasks");
        else if (i + 1 < argc && !strcmp(argv[i], "--clients")) opt.clients = number(argv[++i], "--clients");
        else {
            fprintf(stderr, "ipc_bench: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (opt.reps < 1) return fprintf(stderr, "ipc_bench: --reps must be positive\n"), 2;
    return client();
}
