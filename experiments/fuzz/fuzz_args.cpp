// The fuzzer's argument pools (fuzz_ops.hpp): each draws a valid value sometimes and a
// hostile one otherwise, from fixed lists around the kernel's limits plus raw random words.
#include "abi/comm.hpp"
#include "abi/message.hpp"
#include "experiments/fuzz/fuzz_ops.hpp"

namespace fuzz {

namespace {
constexpr uint64_t kernel_text = 0xffffffff80100000ull; // the kernel image
constexpr uint64_t kernel_direct = 0xffff800000000000ull;
constexpr uint64_t non_canonical = 0x0000800000000000ull; // one past the user range
constexpr uint64_t unmapped_user = 0x0000500000000000ull;
constexpr uint64_t unmapped_utcb = 0x00007ff000000000ull + 4096 * 4096; // UTCB area, past any UTCB
} // namespace

uint64_t Ctx::pointer() {
    if (sane) return scratch + 16 * rng.below(scratch_bytes / 32); // the first half: room for length()
    switch (rng.below(16)) {
    case 0: return 0;
    case 1: return rng.pick({uint64_t(1), uint64_t(0xfff), uint64_t(0x1000)});
    case 2: return rng.pick({kernel_text, kernel_direct, ~uint64_t(0) - 7});
    case 3: return rng.pick({non_canonical, non_canonical - 8, non_canonical - 4096});
    case 4: return rng.pick({unmapped_user, unmapped_utcb, window});
    case 5: return scratch + 1 + rng.below(15);                 // misaligned
    case 6: return scratch + scratch_bytes - 8 * (1 + rng.below(4)); // runs into the guard page
    case 7: return text + 8 * rng.below(64);                    // read-only
    case 8: return rng.next();
    default: return scratch + 16 * rng.below(scratch_bytes / 16); // valid
    }
}

uint64_t Ctx::length() {
    static const uint64_t limits[] = {0, 1, 7, 8, 23, 24, 25, 511, 512, 513, 4095, 4096, 4097,
                                      ipclab::max_string_bytes, ipclab::max_string_bytes + 1,
                                      ipclab::comm_max_bytes, ipclab::comm_max_bytes + 1, 1ull << 32,
                                      1ull << 63, ~uint64_t(0), ~uint64_t(0) - 4095};
    if (sane) return rng.below(scratch_bytes / 2);
    switch (rng.below(4)) {
    case 0: return rng.pick(limits);
    case 1: return rng.next();
    default: return rng.below(scratch_bytes + 64);
    }
}

uint64_t Ctx::slot() {
    if (sane) return 1 + rng.below(first_free_slot - 1);
    switch (rng.below(8)) {
    case 0: return rng.pick({uint64_t(0), uint64_t(255), uint64_t(256), uint64_t(4096), ~uint64_t(0),
                             (uint64_t(1) << 32) | 2, (uint64_t(1) << 63) | 4});
    case 1: return rng.next();
    case 2:
    case 3: return rng.below(256);
    default: return 1 + rng.below(first_free_slot + 8); // the slots in use and their neighbours
    }
}

uint64_t Ctx::rank() {
    if (sane) return rng.below(2);
    switch (rng.below(6)) {
    case 0: return rng.pick({uint64_t(-2), uint64_t(0x7fffffff), uint64_t(0x80000000), uint64_t(1) << 32,
                             uint64_t(ipclab::comm_max_group)});
    case 1: return rng.next();
    case 2: return uint64_t(ipclab::comm_any_source);
    default: return rng.below(3);
    }
}

uint64_t Ctx::tag() {
    if (sane) return rng.below(4);
    switch (rng.below(5)) {
    case 0: return rng.pick({uint64_t(-2), uint64_t(ipclab::comm_tag_ub), uint64_t(ipclab::comm_tag_ub) + 1,
                             uint64_t(1) << 32 | 5, uint64_t(1) << 63});
    case 1: return rng.next();
    case 2: return uint64_t(ipclab::comm_any_tag);
    default: return rng.below(8);
    }
}

uint64_t Ctx::tid() {
    switch (rng.below(4)) {
    case 0: return rng.pick({uint64_t(0), ~uint64_t(0), uint64_t(1) << 32, self_tid});
    case 1: return rng.next();
    default: return rng.below(24); // the run's threads have small ids
    }
}

uint64_t Ctx::timeout() {
    return rng.pick({ipclab::timeout_zero, uint64_t(1), uint64_t(50), uint64_t(1000), uint64_t(20000),
                     uint64_t(1000000)});
}

uint64_t Ctx::message_tag() {
    uint64_t label = rng.chance(50) ? rng.below(16) : rng.next() >> 12;
    uint64_t raw = (label << 12) | rng.below(sane ? 65 : 128);
    if (sane) return raw;
    static const uint64_t bits[] = {ipclab::Message_tag::string_bit, ipclab::Message_tag::cap_bit,
                                    ipclab::Message_tag::map_bit, ipclab::Message_tag::by_thread_id_bit,
                                    ipclab::Message_tag::redirected_bit};
    for (uint64_t b : bits)
        if (rng.chance(15)) raw |= b;
    return raw;
}

void Ctx::scribble_utcb() {
    ipclab::Utcb& u = ipclab::utcb();
    for (unsigned i = ipclab::mr_in_registers; i < ipclab::max_message_registers; ++i)
        u.mr[i] = rng.chance(50) ? rng.next() : rng.below(256);
    u.send_string_addr = pointer();
    u.send_string_bytes = length();
    u.recv_string_addr = pointer();
    u.recv_string_capacity = length();
    u.recv_string_bytes = rng.next();
    u.send_cap_slot = slot();
    u.recv_cap_slot = slot();
    u.send_map_addr = rng.chance(50) ? scratch : pointer();
    u.send_map_pages = rng.chance(80) ? rng.below(20) : rng.next();
    u.send_map_writable = rng.below(3);
    u.recv_map_addr = rng.chance(50) ? window : pointer();
    u.recv_map_pages = rng.chance(80) ? rng.below(window_pages + 4) : rng.next();
    u.recv_map_received = rng.next();
    u.intended_receiver = tid();
    u.virtual_sender = tid();
}

void Ctx::clear_utcb() {
    ipclab::Utcb& u = ipclab::utcb();
    const uint64_t self = u.self;
    u = ipclab::Utcb{};
    u.self = self;
}

} // namespace fuzz
