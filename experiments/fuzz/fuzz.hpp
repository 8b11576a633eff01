// The syscall fuzzer and its oracle (docs/robustness.md): what the two tasks agree on — the
// capability slots the run description gives them, the labels of their protocol — and
// what both use: a seeded generator and JSON lines written without stdio (the oracle's
// threads may not use it, runtime/include/ipclab/ipc.hpp thread_create).
#pragma once

#include <stdint.h>

#include "ipclab/ipc.hpp"

namespace fuzz {

// The fuzzer's capabilities (experiment: scripts/ipclab_cli/fuzz.py). Slots 1 and 2 are
// never deleted: the fuzzer needs them to report to the oracle; every other one may go.
constexpr uint64_t slot_world = 1;  ///< MPI_COMM_WORLD, rank 0 (the oracle is rank 1)
constexpr uint64_t slot_open = 2;   ///< endpoint "open", send, badge open_badge: the oracle serves it
constexpr uint64_t slot_sealed = 3; ///< endpoint "sealed", receive only: nobody may send there
constexpr uint64_t slot_mine = 4;   ///< endpoint "mine", all rights: nobody else holds it
constexpr uint64_t slot_bell = 5;   ///< notification "bell", send, badge bell_badge
constexpr uint64_t slot_quiet = 6;  ///< notification "quiet", receive only: nobody may signal it
constexpr uint64_t slot_ring = 7;   ///< notification "ring", all rights: nobody else holds it
constexpr uint64_t first_free_slot = 8;
constexpr uint64_t open_badge = 7, bell_badge = 1;

// The oracle's capabilities.
constexpr uint64_t oracle_world = 1, oracle_open = 2, oracle_sealed = 3, oracle_inbox = 4, oracle_quiet = 5,
                   oracle_bell = 6;

// Labels of the fuzzer's messages on "open" the oracle acts on (any other label is noise).
constexpr uint64_t label_hello = 0xf0221; ///< MR0 = the fuzzer's thread id; a call
constexpr uint64_t label_done = 0xf0d0e;  ///< a call; the reply's MR0..MR1 = violations, messages

/// splitmix64: the whole run follows from the seed (and the kernel's deterministic answers).
class Rng {
public:
    explicit Rng(uint64_t seed) : m_state(seed) {}
    uint64_t next() {
        uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    /// Uniform in 0 .. n-1 (n > 0; the bias of the modulo does not matter here).
    uint64_t below(uint64_t n) { return next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T, unsigned N> T pick(const T (&values)[N]) { return values[below(N)]; }

private:
    uint64_t m_state;
};

/// One JSON line built in place and written with one Linux write(2) to standard output.
class Line {
public:
    explicit Line(const char* type);
    Line& str(const char* key, const char* value);
    Line& num(const char* key, uint64_t value);
    Line& hex(const char* key, uint64_t value);
    /// Writes the line ("}\n" added).
    void emit();

private:
    void raw(const char* s);
    void key(const char* k);
    char m_buf[1536];
    unsigned m_len = 0;
};

/// Parses a decimal or 0x-hexadecimal argument; false if it is not one.
bool parse_u64(const char* s, uint64_t& out);

} // namespace fuzz
