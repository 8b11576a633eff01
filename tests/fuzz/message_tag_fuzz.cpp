// libFuzzer target: decoding what user space hands the kernel in registers and the UTCB.
// Native message tags (abi/message.hpp) alone; whole native messages through the real
// check_outgoing and transfer_message (kernel/ipc/transfer.cpp) between two tasks, with
// string, capability and map items and a UTCB a sibling thread may rewrite between the check
// and the copy; the communicator's argument checks (mpi_shim/kernel/comm_decode.hpp); and
// timeouts (abi/timeout.hpp, Timeouts::deadline_after). Each is compared with a reference
// written from the documentation: statuses, decoded fields, what the receiver gets.
#include "fuzz_common.hpp"

#include <string.h>

#include "abi/comm.hpp"
#include "abi/message.hpp"
#include "abi/timeout.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/transfer.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/comm_decode.hpp"
#include "task/timeouts.hpp"

namespace {

using ipclab::Message_tag;
using Status = ipclab::Status;
constexpr uint64_t page = 4096, mem = 0x10000, mem_bytes = 0x4000, read_only = 0x20000,
                   window = 0x40000;

/// Decoding a tag, and encoding it again from what was decoded.
void tag(uint64_t raw, uint64_t label, unsigned length, bool string) {
    const Message_tag t{raw};
    FUZZ_CHECK(t.raw() == raw && t.length() <= 127 && t.label() == raw >> 12);
    FUZZ_CHECK(t.valid() == (t.length() <= ipclab::max_message_registers && !t.by_thread_id() &&
                             !t.redirected()));
    const uint64_t flags = raw & 0xf80; // string, cap, map, by thread id, redirected
    FUZZ_CHECK(Message_tag(t.label(), t.length(), t.has_string()).with(flags, true).raw() == raw);
    FUZZ_CHECK(t.with(flags, false).raw() == (raw & ~flags) &&
               t.with(Message_tag::cap_bit, true).has_cap());
    label &= (uint64_t(1) << 52) - 1;
    length &= 0x7f;
    const Message_tag e{label, length, string};
    FUZZ_CHECK(e.label() == label && e.length() == length && e.has_string() == string);
    FUZZ_CHECK(!e.has_cap() && !e.has_map() && !e.by_thread_id() && !e.redirected());
}

/// One task's user memory as the target mapped it: [start, end) pages, writable or not.
struct Region {
    uint64_t start, end;
    bool writable;
};
/// The reference of check_user_range: every page of the range in a region (with write).
bool mapped(const std::vector<Region>& regions, uint64_t addr, uint64_t bytes, bool write) {
    if (bytes == 0) return true;
    if (!kernel::in_user_half(addr, bytes)) return false;
    for (uint64_t p = addr & ~(page - 1); p < addr + bytes; p += page) {
        bool found = false;
        for (const Region& r : regions)
            found |= p >= r.start && p < r.end && (r.writable || !write);
        if (!found) return false;
    }
    return true;
}

/// Whether [a, a + n) of `x` and [b, b + n) of `y` share a frame (map items shared it): the
/// copy between them is then as unspecified as an overlapping memcpy.
bool aliased(kernel::Thread& x, uint64_t a, kernel::Thread& y, uint64_t b, uint64_t n) {
    if (n == 0) return false; // (and the addresses may be anything)
    std::vector<uint64_t> frames;
    uint64_t phys;
    for (uint64_t p = a & ~(page - 1); p < a + n; p += page)
        if (x.task().space().table().translate(p, arch::Access::read, phys))
            frames.push_back(phys & ~(page - 1));
    for (uint64_t p = b & ~(page - 1); p < b + n; p += page)
        if (y.task().space().table().translate(p, arch::Access::read, phys))
            for (uint64_t f : frames)
                if (f == (phys & ~(page - 1))) return true;
    return false;
}

uint64_t address(fuzz::Input& in) {
    switch (in.below(8)) {
    case 0:
        return mem + in.u16() % (mem_bytes + 64);
    case 1:
        return mem + page * in.below(5);
    case 2:
        return read_only + in.below(2) * page + in.below(3);
    case 3:
        return window + page * in.below(8);
    case 4:
        return ipclab::max_string_bytes - in.below(3); // user_base is 0x1000
    case 5:
        return 0xffff800000000000 + in.u8();
    default:
        return in.u64();
    }
}
uint64_t bytes(fuzz::Input& in) {
    switch (in.below(6)) {
    case 0:
        return in.below(65);
    case 1:
        return in.u16() % 0x5000;
    case 2:
        return ipclab::max_string_bytes + in.below(2);
    case 3:
        return in.below(6); // pages
    default:
        return in.flag() ? in.u64() : in.below(0x400) + 0x3fe;
    }
}

struct Party {
    kernel::Thread& thread;
    std::vector<Region> regions;
};

void fill_utcb(fuzz::Input& in, ipclab::Utcb& u) {
    u.send_string_addr = address(in), u.send_string_bytes = bytes(in);
    u.recv_string_addr = address(in), u.recv_string_capacity = bytes(in);
    u.send_cap_slot = in.below(4) ? in.below(5) : in.index(ipclab::cap_slots);
    u.recv_cap_slot = in.below(4) ? in.below(5) : in.index(ipclab::cap_slots);
    u.send_map_addr = address(in), u.send_map_pages = bytes(in), u.send_map_writable = in.u8() & 3;
    u.recv_map_addr = address(in), u.recv_map_pages = bytes(in);
}

/// A native message from `s` to `r`: registers and UTCB from the input, then the real check
/// and transfer against the reference.
void message(fuzz::Input& in, Party& s, Party& r) {
    kernel::Thread &st = s.thread, &rt = r.thread;
    ipclab::Utcb &su = st.utcb(), &ru = rt.utcb();
    const uint64_t raw =
        in.flag() ? in.u64()
                  : Message_tag(in.u16(), in.below(70)).raw() | (uint64_t(in.u8()) << 7 & 0xf80);
    st.frame().set_result(1, raw);
    for (unsigned i = 2; i < 6; ++i)
        st.frame().set_result(i, in.u64());
    for (unsigned i = 0; i < ipclab::max_message_registers; ++i)
        su.mr[i] = raw * 31 + i, ru.mr[i] = ~uint64_t(i);
    fill_utcb(in, su);
    fill_utcb(in, ru);
    const bool may_grant = in.flag(), by_tid = in.flag();
    const uint64_t badge = in.u64();
    st.send_intended_receiver = in.below(4) == 0 ? in.u64() : 0;

    const Message_tag t{raw};
    const kernel::Capability sent_cap = su.send_cap_slot < ipclab::cap_slots
                                            ? st.task().caps().at(unsigned(su.send_cap_slot))
                                            : kernel::Capability{};
    Status want = Status::ok;
    if (!t.valid())
        want = Status::invalid_argument;
    else if ((t.has_cap() || t.has_map()) && !may_grant)
        want = Status::insufficient_rights;
    else if (t.has_string() && su.send_string_bytes > ipclab::max_string_bytes)
        want = Status::message_too_long;
    else if (t.has_string() && !mapped(s.regions, su.send_string_addr, su.send_string_bytes, false))
        want = Status::invalid_pointer;
    else if (t.has_cap() && !sent_cap.object)
        want = Status::invalid_capability;
    else if (t.has_cap() && sent_cap.object->type() == kernel::Object_type::communicator)
        want = Status::invalid_argument;
    else if (t.has_map() && ((su.send_map_addr & 0xfff) || su.send_map_pages == 0 ||
                             su.send_map_pages > kernel::max_map_pages))
        want = Status::invalid_argument;
    else if (t.has_map() &&
             !mapped(s.regions, su.send_map_addr, su.send_map_pages * page, su.send_map_writable))
        want = Status::invalid_pointer;
    FUZZ_CHECK(kernel::check_outgoing(st, may_grant) == want);
    if (want != Status::ok) return;

    if (in.below(4) == 0) fill_utcb(in, su); // a sibling thread rewrote the UTCB since the check
    const kernel::Capability cap = su.send_cap_slot < ipclab::cap_slots
                                       ? st.task().caps().at(unsigned(su.send_cap_slot))
                                       : kernel::Capability{};
    const bool cap_taken = t.has_cap() && cap.object &&
                           cap.object->type() != kernel::Object_type::communicator &&
                           ru.recv_cap_slot != 0 && ru.recv_cap_slot < ipclab::cap_slots &&
                           !rt.task().caps().at(unsigned(ru.recv_cap_slot)).object;
    const uint64_t pages = su.send_map_pages;
    if (t.has_string() && (su.send_string_bytes > ru.recv_string_capacity ||
                           su.send_string_bytes > ipclab::max_string_bytes))
        want = Status::message_too_long;
    else if (t.has_string() &&
             !(mapped(r.regions, ru.recv_string_addr, su.send_string_bytes, true) &&
               mapped(s.regions, su.send_string_addr, su.send_string_bytes, false)))
        want = Status::invalid_pointer;
    else if (t.has_map() && (pages > kernel::max_map_pages || (su.send_map_addr & 0xfff)))
        want = Status::invalid_argument;
    else if (t.has_map() && pages > ru.recv_map_pages)
        want = Status::message_too_long;
    else if (t.has_map() &&
             ((ru.recv_map_addr & 0xfff) || !kernel::in_user_half(ru.recv_map_addr, pages * page)))
        want = Status::invalid_argument;
    for (uint64_t i = 0; t.has_map() && want == Status::ok && i < pages; ++i) {
        if (!mapped(s.regions, su.send_map_addr + i * page, 1, su.send_map_writable))
            want = Status::invalid_pointer;
        else if (mapped(r.regions, ru.recv_map_addr + i * page, 1, false))
            want = Status::invalid_argument;
    }
    const Status got = kernel::transfer_message(st, rt, badge, by_tid);
    FUZZ_CHECK(got == want);
    if (got != Status::ok) return;

    const arch::User_frame &from = st.frame(), &to = rt.frame();
    const Message_tag rt_tag{to.arg(1)};
    FUZZ_CHECK(to.arg(0) == badge && rt_tag.label() == t.label() && rt_tag.length() == t.length());
    FUZZ_CHECK(rt_tag.has_string() == t.has_string() && rt_tag.has_map() == t.has_map() &&
               rt_tag.has_cap() == cap_taken);
    FUZZ_CHECK(rt_tag.by_thread_id() == by_tid &&
               rt_tag.redirected() == (st.send_intended_receiver != 0));
    if (rt_tag.redirected()) FUZZ_CHECK(ru.intended_receiver == st.send_intended_receiver);
    for (unsigned i = 0; i < ipclab::mr_in_registers; ++i)
        FUZZ_CHECK(to.arg(2 + i) == (i < t.length() ? from.arg(2 + i) : 0));
    for (unsigned i = ipclab::mr_in_registers; i < ipclab::max_message_registers; ++i)
        FUZZ_CHECK(ru.mr[i] == (i < t.length() ? su.mr[i] : ~uint64_t(i)));
    if (cap_taken) {
        const kernel::Capability& c = rt.task().caps().at(unsigned(ru.recv_cap_slot));
        FUZZ_CHECK(c.object == cap.object && c.rights == cap.rights && c.badge == cap.badge);
    }
    if (t.has_string()) {
        FUZZ_CHECK(ru.recv_string_bytes == su.send_string_bytes);
        std::vector<char> a(su.send_string_bytes), b(su.send_string_bytes);
        FUZZ_CHECK(kernel::copy_from_user(st.task().space(), su.send_string_addr, a.data(),
                                          a.size()) == Status::ok);
        FUZZ_CHECK(kernel::copy_from_user(rt.task().space(), ru.recv_string_addr, b.data(),
                                          b.size()) == Status::ok);
        if (!aliased(st, su.send_string_addr, rt, ru.recv_string_addr, a.size()))
            FUZZ_CHECK(a == b);
    }
    if (t.has_map()) {
        FUZZ_CHECK(ru.recv_map_received == pages);
        r.regions.push_back(
            Region{ru.recv_map_addr, ru.recv_map_addr + pages * page, su.send_map_writable != 0});
        for (uint64_t i = 0; i < pages;
             ++i) { // the same frames: what one side sees, the other does
            uint64_t x = 0, y = 1;
            FUZZ_CHECK(kernel::copy_from_user(st.task().space(), su.send_map_addr + i * page, &x,
                                              8) == Status::ok);
            FUZZ_CHECK(kernel::copy_from_user(rt.task().space(), ru.recv_map_addr + i * page, &y,
                                              8) == Status::ok);
            FUZZ_CHECK(x == y);
        }
    }
}

/// The communicator's argument checks (comm_decode.hpp) against abi/comm.hpp's limits.
void comm_checks(fuzz::Input& in, const kernel::Communicator& c) {
    const int64_t peer = int64_t(in.index(c.size())),
                  tag = in.flag() ? int64_t(in.u32()) - 2 : int64_t(in.index(8));
    const uint64_t context = in.flag() ? in.below(3) : in.u64(),
                   n = in.flag() ? in.below(40) : in.u64(), a5 = in.u64();
    const bool rank_ok = peer >= 0 && peer < int64_t(c.size()),
               tag_ok = tag >= 0 && tag <= ipclab::comm_tag_ub;
    const Status tail = context >= ipclab::context_count ? Status::invalid_argument
                        : n > ipclab::comm_max_bytes     ? Status::message_too_long
                                                         : Status::ok;
    FUZZ_CHECK(kernel::comm_decode::check_send(c, peer, tag, context, n) ==
               (!rank_ok  ? Status::invalid_rank
                : !tag_ok ? Status::invalid_tag
                          : tail));
    FUZZ_CHECK(kernel::comm_decode::check_receive(c, peer, tag, context, n) ==
               (!rank_ok && peer != -1 ? Status::invalid_rank
                : !tag_ok && tag != -1 ? Status::invalid_tag
                                       : tail));
    const bool registers_ok = !(a5 & ipclab::comm_in_registers) || n <= ipclab::comm_register_bytes;
    FUZZ_CHECK(kernel::comm_decode::check_registers(a5, n) ==
               (registers_ok ? Status::ok : Status::invalid_argument));
}

/// A deadline: none for timeout_infinite, else now + timeout, saturating.
void deadline(uint64_t now, uint64_t timeout) {
    arch::host::set_now(now);
    const uint64_t d = kernel::Timeouts::deadline_after(timeout);
    if (timeout == ipclab::timeout_infinite)
        FUZZ_CHECK(d == 0);
    else
        FUZZ_CHECK(d == (timeout > ~now ? ~uint64_t(0) : now + timeout));
    arch::host::set_now(0);
}

void run(fuzz::Input& in, fuzz::Tasks& tasks, kernel::Account& account) {
    Party party[2] = {{tasks.thread(tasks.add()), {}}, {tasks.thread(tasks.add()), {}}};
    Status s;
    kernel::Communicator* comm = kernel::Communicator::create(1 + in.below(16), account, s);
    FUZZ_CHECK(comm != nullptr);
    for (Party& p :
         party) { // memory, an endpoint capability in slot 1 and 3, the communicator in 2
        kernel::Task& t = p.thread.task();
        FUZZ_CHECK(t.space().map_zeroed(mem, mem_bytes, {true, false}) == Status::ok);
        FUZZ_CHECK(t.space().map_zeroed(read_only, page, {false, false}) == Status::ok);
        p.regions = {{mem, mem + mem_bytes, true},
                     {read_only, read_only + page, false},
                     {p.thread.utcb_address(), p.thread.utcb_address() + page, true}};
        std::vector<uint64_t> words(mem_bytes / 8);
        for (size_t i = 0; i < words.size(); ++i)
            words[i] = i * 0x9e3779b97f4a7c15 + t.id();
        FUZZ_CHECK(kernel::copy_to_user(t.space(), mem, words.data(), mem_bytes) == Status::ok);
        kernel::Endpoint* ep = kernel::Endpoint::create(account);
        FUZZ_CHECK(ep && t.caps().insert(1, *ep, ipclab::rights_all, 7) == Status::ok &&
                   t.caps().insert(3, *ep, 1, 0) == Status::ok);
        FUZZ_CHECK(t.caps().insert(2, *comm, ipclab::rights_all, 0) == Status::ok);
    }
    while (in.more()) {
        switch (in.below(4)) {
        case 0:
            tag(in.u64(), in.u64(), in.u8(), in.flag());
            break;
        case 1:
            comm_checks(in, *comm);
            break;
        case 2:
            deadline(in.flag() ? in.u64() : in.u16(), in.flag() ? in.u64() : ~uint64_t(in.u8()));
            break;
        default: {
            const unsigned from = in.below(2);
            message(in, party[from], party[1 - from]);
        }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Kernel_state state;
    kernel::Account account;
    {
        fuzz::Tasks tasks;
        fuzz::Input in(data, size);
        run(in, tasks, account);
    }
    FUZZ_CHECK(account.kernel_bytes() == 0);
    state.finish();
    return 0;
}
