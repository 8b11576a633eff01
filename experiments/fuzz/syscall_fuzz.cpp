// The syscall fuzzer (issue 7, docs/robustness.md): issues `calls` random system calls with
// random and hostile arguments from a seed, so that a failure replays exactly (the run is
// deterministic under -icount). Before the first call it tells the oracle its thread id;
// after the last it asks the oracle for the violations it saw and prints one line:
//   {"type":"fuzz","seed":S,"calls":N,"violations":V,"oracle_messages":M,
//    "ok":..,"errors":..,"linux":..,"by_op":{...},"by_status":{...}}
// Progress: {"type":"fuzz_progress","calls":K} every 10,000 calls. With --trace-from K every
// call from the K-th on is printed before it is made ({"type":"call","n":..,"op":..,"at":
// guest instructions so far}), and its result after it ({"type":"called","n":..,"result":..}).
//
// usage: syscall_fuzz --seed S --calls N [--trace-from K]
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "experiments/fuzz/fuzz_ops.hpp"

using namespace ipclab;
using fuzz::Ctx;
using fuzz::Line;
using fuzz::Op;

namespace {

constexpr uint64_t progress_every = 10000;
constexpr uint64_t scratch_pages = 3;
constexpr unsigned status_slots = 32;

struct Family {
    const Op* ops;
    unsigned count;
    unsigned weight; // in percent
};

const Family families[] = {{fuzz::native_ops, fuzz::native_op_count, 45},
                           {fuzz::comm_ops, fuzz::comm_op_count, 35},
                           {fuzz::linux_ops, fuzz::linux_op_count, 20}};

uint64_t by_status[status_slots];
uint64_t by_op[3][16];
uint64_t linux_ok, linux_errors;

const Op& choose(Ctx& c) {
    uint64_t roll = c.rng.below(100);
    for (unsigned i = 0; i < 3; ++i) {
        const Family& f = families[i];
        if (roll < f.weight) {
            const unsigned k = unsigned(c.rng.below(f.count));
            ++by_op[i][k];
            return f.ops[k];
        }
        roll -= f.weight;
    }
    return families[0].ops[0];
}

/// The scratch area (read-write, then an unmapped guard page), the unmapped window and the
/// read-only text the pools point into. False if memory could not be had.
bool set_up_memory(Ctx& c) {
    void* area = mmap(nullptr, (scratch_pages + 1) * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void* window = mmap(nullptr, Ctx::window_pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED || window == MAP_FAILED) return false;
    c.scratch = reinterpret_cast<uint64_t>(area);
    c.scratch_bytes = scratch_pages * 4096;
    munmap(reinterpret_cast<char*>(area) + c.scratch_bytes, 4096); // the guard page
    munmap(window, Ctx::window_pages * 4096);
    c.window = reinterpret_cast<uint64_t>(window);
    c.text = reinterpret_cast<uint64_t>(&choose) & ~uint64_t(4095);
    auto* bytes = static_cast<uint8_t*>(area);
    for (uint64_t i = 0; i < c.scratch_bytes; ++i) bytes[i] = uint8_t(c.rng.next());
    return true;
}

/// A call on "open" that must get through (hello, done): no items, unbounded wait.
Received tell_oracle(Ctx& c, uint64_t label, uint64_t word) {
    c.clear_utcb();
    return ipc_call(fuzz::slot_open, Message{Message_tag{label, 1}, {word}});
}

void usage(const char* problem) {
    Line("usage").str("error", problem).str("usage", "syscall_fuzz --seed S --calls N [--trace-from K]").emit();
}

} // namespace

int main(int argc, char** argv) {
    uint64_t seed = 1, calls = 1000, trace_from = ~uint64_t(0);
    for (int i = 1; i < argc; ++i) {
        uint64_t* target = !strcmp(argv[i], "--seed")         ? &seed
                           : !strcmp(argv[i], "--calls")      ? &calls
                           : !strcmp(argv[i], "--trace-from") ? &trace_from
                                                              : nullptr;
        if (!target || i + 1 >= argc || !fuzz::parse_u64(argv[++i], *target)) return usage(argv[i]), 2;
    }
    Ctx c(seed);
    Syscall_registers self;
    (void)sys::thread_self(self);
    c.self_tid = self.r[0];
    c.task_id = uint64_t(getpid());
    if (!set_up_memory(c)) return Line("fuzz_error").str("what", "mmap").emit(), 1;
    Syscall_registers timeout;
    timeout.r[0] = fuzz::slot_world;
    timeout.r[1] = 1000000; // every blocking MPI send ends within 1 ms (fuzz_comm.cpp)
    if (sys::comm_set_send_timeout(timeout) != Status::ok) return Line("fuzz_error").str("what", "send timeout").emit(), 1;
    if (tell_oracle(c, fuzz::label_hello, c.self_tid).status != Status::ok)
        return Line("fuzz_error").str("what", "hello").emit(), 1;

    for (uint64_t n = 0; n < calls; ++n) {
        if (n && n % progress_every == 0) Line("fuzz_progress").num("calls", n).emit();
        const Op& op = choose(c);
        c.sane = c.rng.chance(33);
        c.endgame = n >= calls - calls / 100;
        if (n >= trace_from) Line("call").num("n", n).str("op", op.name).num("at", __builtin_ia32_rdtsc()).emit();
        const long result = op.run(c);
        if (n >= trace_from) Line("called").num("n", n).num("result", uint64_t(result)).emit();
        if (op.linux_call)
            ++(result < 0 ? linux_errors : linux_ok);
        else
            ++by_status[uint64_t(result) < status_slots ? uint64_t(result) : status_slots - 1];
    }

    Received answer = tell_oracle(c, fuzz::label_done, 0);
    Line l("fuzz");
    l.num("seed", seed).num("calls", calls).str("oracle", status_name(answer.status));
    l.num("violations", answer.message.mr[0]).num("oracle_messages", answer.message.mr[1]);
    l.num("linux_ok", linux_ok).num("linux_errors", linux_errors);
    for (unsigned s = 0; s < status_slots; ++s)
        if (by_status[s]) l.num(status_name(static_cast<Status>(s)), by_status[s]);
    l.emit();
    Line ops("fuzz_ops");
    for (unsigned i = 0; i < 3; ++i)
        for (unsigned k = 0; k < families[i].count; ++k) ops.num(families[i].ops[k].name, by_op[i][k]);
    ops.emit();
    return answer.status == Status::ok ? 0 : 1;
}
