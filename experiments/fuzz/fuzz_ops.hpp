// The syscall fuzzer's operations (docs/robustness.md): every native system call of
// abi/syscalls.def, the Linux calls the kernel serves and some it does not, each with
// arguments drawn from pools of valid and hostile values.
//
// What the pools never hold, so that only a kernel bug can kill the fuzzer: pointers into
// the fuzzer's own stack, data, heap or UTCB (the kernel may legitimately write there);
// executable entry points other than a stub that exits; unbounded waits anywhere but on the
// endpoint the oracle serves; deleting slots 1 and 2; ending or signalling itself. Slots 3..7
// are deleted only in the last 1% of the calls (Ctx::endgame).
#pragma once

#include <stdint.h>

#include "experiments/fuzz/fuzz.hpp"

namespace fuzz {

struct Ctx {
    explicit Ctx(uint64_t seed) : rng(seed) {}
    Rng rng;
    uint64_t scratch = 0;       ///< scratch_bytes read-write, then an unmapped guard page
    uint64_t scratch_bytes = 0;
    uint64_t text = 0;          ///< mapped read-only (code)
    uint64_t window = 0;        ///< window_pages unmapped pages, for map items to land in
    uint64_t self_tid = 0, task_id = 0;
    uint64_t mapped = 0, mapped_bytes = 0; ///< the last region an mmap made, for munmap
    /// This call's arguments are drawn valid (a third of the calls), so that calls get past
    /// the argument checks into the paths behind them: matching, buffering, transfers.
    bool sane = false;
    /// The last 1% of the calls: only now may the capabilities the run description gave
    /// (slots 3..7) be deleted, destroying "mine" and "ring"; until then deletes hit copies.
    bool endgame = false;

    static constexpr uint64_t window_pages = 16;

    uint64_t pointer();  ///< null, kernel, non-canonical, unmapped, misaligned, read-only, valid
    uint64_t length();   ///< 0, around every limit, huge, "negative"
    uint64_t slot();     ///< the slots in use, empty ones, out of range, high bits set
    uint64_t rank();     ///< ranks of WORLD, any source, negative, huge
    uint64_t tag();      ///< MPI tags around 0 and the upper bound, any tag, huge
    uint64_t tid();      ///< small thread ids (the run's threads), 0, huge
    uint64_t timeout();  ///< zero or a bounded finite wait (at most 1 ms of virtual time)
    uint64_t message_tag(); ///< native tags: lengths 0..127, item bits, kernel-set bits
    /// Fills the UTCB's message registers and items with pool values (never its `self`).
    void scribble_utcb();
    /// Clears the UTCB's items, so a message the fuzzer needs to get through carries none.
    void clear_utcb();
};

/// One kind of call: its name (the report counts by it) and how to make one. `run` returns
/// the Status (native) or the Linux result (negative errno).
struct Op {
    const char* name;
    long (*run)(Ctx&);
    bool linux_call;
};

extern const Op native_ops[];
extern const unsigned native_op_count;
extern const Op comm_ops[];
extern const unsigned comm_op_count;
extern const Op linux_ops[];
extern const unsigned linux_op_count;

} // namespace fuzz
