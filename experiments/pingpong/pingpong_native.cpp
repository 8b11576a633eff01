// Ping-pong over native IPC: the client calls the server's endpoint and the server echoes
// with reply_recv, for each message size; every payload byte is checked. Messages of up to
// 512 bytes travel in message registers (MR0..3 in CPU registers, the rest in the UTCB);
// longer ones as a string item (long IPC, one copy between the address spaces).
//
// usage: pingpong_native server             (capability: endpoint in slot 2, receive right)
//        pingpong_native client [--sizes 0,8,64,512,4096] [--reps N] [--warmup N] [--timeout-ns N]
//                                            (capability: endpoint in slot 2, send right)
// --timeout-ns gives every call a finite timeout of N virtual ns instead of the infinite one,
// to measure what arming a timer adds to a round trip (the fast path takes infinite
// timeouts only, so such calls take the slow path; docs/native-ipc.md).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common/bench_stats.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t endpoint_slot = 2;
constexpr size_t max_sizes = 32;
constexpr size_t register_bytes = max_message_registers * sizeof(uint64_t);

alignas(64) unsigned char server_buffer[max_string_bytes];

[[noreturn]] void server() {
    Utcb& u = utcb();
    u.recv_string_addr = reinterpret_cast<uint64_t>(server_buffer);
    u.recv_string_capacity = sizeof server_buffer;
    u.send_string_addr = reinterpret_cast<uint64_t>(server_buffer);
    Received m = ipc_recv(endpoint_slot);
    for (;;) {
        if (m.status != Status::ok) {
            fprintf(stderr, "pingpong server: receive failed: %s\n", status_name(m.status));
            exit(1);
        }
        // Echo: same tag and registers; MR4.. are still in the UTCB; the string (if any) goes
        // back from where it arrived.
        u.send_string_bytes = u.recv_string_bytes;
        m = ipc_reply_recv(endpoint_slot, m.message);
    }
}

/// Puts `bytes` of payload into the message: registers and UTCB, or the string item.
Message compose(const unsigned char* payload, size_t bytes) {
    Utcb& u = utcb();
    if (bytes > register_bytes) {
        u.send_string_addr = reinterpret_cast<uint64_t>(payload);
        u.send_string_bytes = bytes;
        return Message{Message_tag{1, 0, true}, {}};
    }
    unsigned words = unsigned((bytes + 7) / 8);
    uint64_t w[max_message_registers] = {};
    memcpy(w, payload, bytes);
    Message m{Message_tag{1, words}, {}};
    for (unsigned i = 0; i < words; ++i) (i < mr_in_registers ? m.mr[i] : u.mr[i]) = w[i];
    return m;
}

/// Copies the payload of a received message out of registers, UTCB or string window.
size_t extract(const Received& r, unsigned char* out, size_t capacity) {
    Utcb& u = utcb();
    if (r.message.tag.has_string()) return u.recv_string_bytes; // already in `out`
    unsigned words = r.message.tag.length();
    uint64_t w[max_message_registers] = {};
    for (unsigned i = 0; i < words; ++i) w[i] = i < mr_in_registers ? r.message.mr[i] : u.mr[i];
    size_t n = words * 8 < capacity ? words * 8 : capacity;
    memcpy(out, w, n);
    return n;
}

int client(size_t* sizes, int nsizes, long reps, long warmup, uint64_t timeout) {
    size_t largest = 0;
    for (int s = 0; s < nsizes; ++s) largest = sizes[s] > largest ? sizes[s] : largest;
    // Both buffers start on a page, as in pingpong_mpi: each size is measured at the same
    // alignment whatever else --sizes lists.
    void *out_page = nullptr, *in_page = nullptr;
    if (posix_memalign(&out_page, BENCH_PAGE_BYTES, largest + 8) != 0) out_page = nullptr;
    if (posix_memalign(&in_page, BENCH_PAGE_BYTES, largest + 8) != 0) in_page = nullptr;
    auto* out = static_cast<unsigned char*>(out_page);
    auto* in = static_cast<unsigned char*>(in_page);
    auto* samples = static_cast<uint64_t*>(malloc(sizeof(uint64_t) * size_t(reps)));
    if (!out || !in || !samples) return fprintf(stderr, "pingpong client: out of memory\n"), 3;
    Utcb& u = utcb();
    u.recv_string_addr = reinterpret_cast<uint64_t>(in);
    u.recv_string_capacity = largest;

    int failures = 0;
    for (int s = 0; s < nsizes; ++s) {
        const size_t bytes = sizes[s];
        if (bytes > max_string_bytes) return fprintf(stderr, "pingpong client: %zu bytes exceed long IPC\n", bytes), 2;
        bool verified = true;
        for (long rep = 0; rep < warmup + reps; ++rep) {
            for (size_t i = 0; i < bytes; ++i) out[i] = bench_pattern(size_t(rep), i);
            memset(in, 0, bytes);
            Message m = compose(out, bytes);
            uint64_t t0 = bench_rdtsc();
            Received r = ipc_call(endpoint_slot, m, timeout);
            uint64_t t1 = bench_rdtsc();
            if (r.status != Status::ok) {
                fprintf(stderr, "pingpong client: call failed: %s\n", status_name(r.status));
                return 1;
            }
            size_t got = extract(r, in, largest);
            if (got != (bytes + 7) / 8 * 8 && got != bytes) verified = false;
            if (memcmp(in, out, bytes) != 0) verified = false;
            if (rep >= warmup) samples[rep - warmup] = t1 - t0;
        }
        bench_stats st = bench_summarise(samples, size_t(reps));
        const bool timed = timeout != timeout_infinite;
        const char* transport = bytes > register_bytes ? (timed ? "call/reply_recv, long IPC, call timeout"
                                                                : "call/reply_recv, long IPC")
                                                       : (timed ? "call/reply_recv, message registers, call timeout"
                                                                : "call/reply_recv, message registers");
        bench_print_result("pingpong", "native", transport, bytes, size_t(reps), size_t(warmup), &st, verified);
        if (!verified) {
            fprintf(stderr, "pingpong client: corrupt echo at %zu bytes\n", bytes);
            ++failures;
        }
    }
    return failures ? 4 : 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && !strcmp(argv[1], "server")) server();
    if (argc < 2 || strcmp(argv[1], "client") != 0) {
        fprintf(stderr, "usage: pingpong_native server | client [--sizes LIST] [--reps N] [--warmup N] [--timeout-ns N]\n");
        return 2;
    }
    size_t sizes[max_sizes] = {0, 8, 64, 512, 4096};
    int nsizes = 5;
    long reps = 1000, warmup = 100;
    uint64_t timeout = timeout_infinite;
    for (int i = 2; i < argc; ++i) {
        if (i + 1 < argc && !strcmp(argv[i], "--sizes")) {
            nsizes = bench_parse_sizes(argv[++i], sizes, int(max_sizes));
            if (nsizes <= 0) return fprintf(stderr, "pingpong_native: bad --sizes '%s'\n", argv[i]), 2;
        } else if (i + 1 < argc && !strcmp(argv[i], "--reps")) {
            reps = strtol(argv[++i], nullptr, 10);
            if (reps <= 0) return fprintf(stderr, "pingpong_native: --reps must be positive\n"), 2;
        } else if (i + 1 < argc && !strcmp(argv[i], "--warmup")) {
            warmup = strtol(argv[++i], nullptr, 10);
            if (warmup < 0) return fprintf(stderr, "pingpong_native: --warmup must be >= 0\n"), 2;
        } else if (i + 1 < argc && !strcmp(argv[i], "--timeout-ns")) {
            char* end;
            timeout = strtoull(argv[++i], &end, 10);
            if (*end || timeout == 0 || timeout == timeout_infinite)
                return fprintf(stderr, "pingpong_native: --timeout-ns must be 1 .. 2^64-2 virtual ns\n"), 2;
        } else {
            return fprintf(stderr, "pingpong_native: unknown argument '%s'\n", argv[i]), 2;
        }
    }
    return client(sizes, nsizes, reps, warmup, timeout);
}
