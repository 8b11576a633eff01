// libFuzzer target: capability spaces (kernel/ipc/capability.cpp, object.cpp) and the
// capability system calls (kernel/syscall/capability.cpp) against a reference model of every
// slot. Space 0 is a task's, reached through the system calls; spaces 1 and 2 are bare
// Cap_space objects. Invariants: every status as the documented checks predict, in their order;
// a derived capability's rights within its source's; lookups without side effects; an object's
// reference count equal to the capabilities naming it; an object freed with its last
// capability (its account's bytes); nothing left at the end of the input.
#include "fuzz_common.hpp"

#include <memory>

#include "ipc/capability.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/notification.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "syscall/syscall.hpp"

namespace {

using kernel::Object_type;
using Status = ipclab::Status;
constexpr unsigned slots = ipclab::cap_slots, spaces = 3;

struct Object {
    kernel::Kobject* p;
    Object_type type;
    uint64_t bytes; ///< charged to the account by its creation
    bool alive;
};
struct Slot {
    int object = -1; ///< index into objects, -1: empty
    uint8_t rights = 0;
    uint64_t badge = 0;
};

struct Model {
    kernel::Account& account;
    kernel::Cap_space* space[spaces];
    std::vector<Object> objects;
    Slot slot[spaces][slots];

    bool filled(unsigned s, uint64_t i) const { return i < slots && slot[s][i].object >= 0; }

    /// The status Cap_space::insert gives, and its effect on the model when ok.
    Status insert(unsigned s, uint64_t to, int object, uint64_t rights, uint64_t badge) {
        if (to == ipclab::slot_null || to >= slots || filled(s, to))
            return Status::invalid_capability;
        if (rights & ~uint64_t(ipclab::rights_all)) return Status::invalid_argument;
        slot[s][to] = Slot{object, uint8_t(rights), badge};
        return Status::ok;
    }
    Status derive(unsigned s, uint64_t from, uint64_t to, uint64_t rights, uint64_t badge) {
        if (!filled(s, from)) return Status::invalid_capability;
        const Slot src = slot[s][from];
        if (rights & ~uint64_t(ipclab::rights_all)) return Status::invalid_argument;
        if (rights & ~uint64_t(src.rights)) return Status::insufficient_rights;
        const bool fixed_badge = src.badge || objects[src.object].type == Object_type::communicator;
        if (badge && badge != src.badge && fixed_badge) return Status::invalid_argument;
        return insert(s, to, src.object, rights, badge ? badge : src.badge);
    }

    /// Every slot as the kernel has it; reference counts; dead objects are the unnamed ones.
    void check() {
        std::vector<uint32_t> named(objects.size());
        for (unsigned s = 0; s < spaces; ++s) {
            for (unsigned i = 0; i < slots; ++i) {
                const kernel::Capability& c = space[s]->at(i);
                const Slot& m = slot[s][i];
                FUZZ_CHECK(c.object == (m.object >= 0 ? objects[m.object].p : nullptr));
                if (m.object < 0) continue;
                FUZZ_CHECK(c.rights == m.rights && c.badge == m.badge);
                FUZZ_CHECK((c.rights & ~ipclab::rights_all) == 0);
                ++named[m.object];
            }
        }
        uint64_t bytes = 0;
        for (size_t o = 0; o < objects.size(); ++o) {
            if (objects[o].alive && !named[o]) objects[o].alive = false; // the kernel freed it
            if (!objects[o].alive) continue;
            FUZZ_CHECK(objects[o].p->references() == named[o]);
            bytes += objects[o].bytes;
        }
        FUZZ_CHECK(account.kernel_bytes() == bytes);
    }
};

/// A new object of a type the input picks, charged to `account`; its index.
int create(fuzz::Input& in, Model& m) {
    const uint64_t before = m.account.kernel_bytes();
    kernel::Kobject* p = nullptr;
    Status s = Status::ok;
    switch (in.below(3)) {
    case 0:
        p = kernel::Endpoint::create(m.account);
        break;
    case 1:
        p = kernel::Notification::create(m.account);
        break;
    default:
        p = kernel::Communicator::create(1 + in.below(8), m.account, s);
        break;
    }
    FUZZ_CHECK(p != nullptr && s == Status::ok && p->references() == 0);
    m.objects.push_back(Object{p, p->type(), m.account.kernel_bytes() - before, true});
    return int(m.objects.size() - 1);
}

/// Frees an object no capability took (as the unit tests do).
void discard(Object& o) {
    switch (o.type) {
    case Object_type::endpoint:
        kernel::Endpoint::destroy(static_cast<kernel::Endpoint*>(o.p));
        break;
    case Object_type::notification:
        kernel::Notification::destroy(static_cast<kernel::Notification*>(o.p));
        break;
    case Object_type::communicator:
        kernel::Communicator::destroy(static_cast<kernel::Communicator*>(o.p));
        break;
    }
    o.alive = false;
}

/// A slot: mostly one of the first eight, so that operations meet; sometimes any index.
uint64_t slot(fuzz::Input& in) {
    return in.below(4) ? in.below(8) : in.index(slots);
}
/// Rights: mostly valid ones.
uint64_t rights(fuzz::Input& in) {
    return in.below(4) ? in.below(8) : in.flag() ? in.u8() : in.u64();
}

uint64_t badge(fuzz::Input& in) {
    switch (in.below(4)) {
    case 0:
        return 0;
    case 1:
        return in.below(4);
    case 2:
        return in.u8();
    default:
        return in.u64();
    }
}

template <typename T> void lookup(Model& m, unsigned s, uint64_t i, uint8_t rights) {
    T* found = reinterpret_cast<T*>(uintptr_t(0x5a5a));
    uint64_t got_badge = 0xbadbad;
    const Status got = m.space[s]->lookup(i, rights, found, got_badge);
    Status want = Status::ok;
    if (!m.filled(s, i))
        want = Status::invalid_capability;
    else if (m.objects[m.slot[s][i].object].type != T::object_type)
        want = Status::wrong_object_type;
    else if ((m.slot[s][i].rights & rights) != rights)
        want = Status::insufficient_rights;
    FUZZ_CHECK(got == want);
    if (got != Status::ok) {
        FUZZ_CHECK(found == reinterpret_cast<T*>(uintptr_t(0x5a5a)) && got_badge == 0xbadbad);
        return;
    }
    FUZZ_CHECK(found == m.objects[m.slot[s][i].object].p && got_badge == m.slot[s][i].badge);
}

void run(fuzz::Input& in, kernel::Thread& holder, kernel::Account& account) {
    kernel::Cap_space bare[2];
    Model m{account, {&holder.task().caps(), &bare[0], &bare[1]}, {}, {}};
    while (in.more()) {
        const unsigned s = in.below(spaces);
        switch (in.below(8)) {
        case 0: { // a new object into a slot
            const int o = create(in, m);
            const uint64_t to = slot(in), r = rights(in) & 0xff, b = badge(in);
            const Status want = m.insert(s, to, o, r, b);
            FUZZ_CHECK(m.space[s]->insert(to, *m.objects[o].p, uint8_t(r), b) == want);
            if (want != Status::ok) discard(m.objects[o]);
            break;
        }
        case 1: { // derive, in space 0 through the system call
            const uint64_t from = slot(in), to = slot(in), r = rights(in), b = badge(in);
            const Status want = m.derive(s, from, to, r, b);
            const Status got = s == 0 ? fuzz::call(kernel::sys_cap_derive, holder, {from, to, r, b})
                                      : m.space[s]->derive(from, to, r, b);
            FUZZ_CHECK(got == want);
            if (got == Status::ok) // never more rights than the source, whatever the model says
                FUZZ_CHECK((m.space[s]->at(unsigned(to)).rights &
                            ~m.space[s]->at(unsigned(from)).rights) == 0);
            break;
        }
        case 2: { // copy into another space, as a capability item does (ipc/transfer.cpp)
            const unsigned d = in.below(spaces);
            const uint64_t from = slot(in), to = slot(in);
            if (!m.filled(s, from)) break;
            const Slot src = m.slot[s][from];
            const Status want = m.insert(d, to, src.object, src.rights, src.badge);
            FUZZ_CHECK(m.space[d]->insert(to, *m.objects[src.object].p, src.rights, src.badge) ==
                       want);
            break;
        }
        case 3: { // delete; in space 0 through the system call
            const uint64_t i = slot(in);
            const bool was = m.filled(s, i);
            if (was) m.slot[s][i] = Slot{};
            if (s == 0)
                FUZZ_CHECK(fuzz::call(kernel::sys_cap_delete, holder, {i}) ==
                           (was ? Status::ok : Status::invalid_capability));
            else
                m.space[s]->remove(i);
            break;
        }
        case 4: { // lookups have no side effects (checked by the next check())
            const uint64_t i = slot(in);
            const uint8_t r = uint8_t(rights(in));
            switch (in.below(3)) {
            case 0:
                lookup<kernel::Endpoint>(m, s, i, r);
                break;
            case 1:
                lookup<kernel::Notification>(m, s, i, r);
                break;
            default:
                lookup<kernel::Communicator>(m, s, i, r);
                break;
            }
            break;
        }
        case 5: { // cap_info on the task's space
            const uint64_t i = slot(in);
            const Status got = fuzz::call(kernel::sys_cap_info, holder, {i});
            FUZZ_CHECK(got == (m.filled(0, i) ? Status::ok : Status::invalid_capability));
            if (got != Status::ok) break;
            const arch::User_frame& f = holder.frame();
            FUZZ_CHECK(f.arg(0) == uint64_t(m.objects[m.slot[0][i].object].type));
            FUZZ_CHECK(f.arg(1) == m.slot[0][i].rights && f.arg(2) == m.slot[0][i].badge);
            break;
        }
        case 6: // clear a bare space
            if (s == 0) break;
            m.space[s]->clear();
            for (Slot& slot : m.slot[s])
                slot = Slot{};
            break;
        default:
            break; // nothing: check() below
        }
        m.check();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Kernel_state state;
    kernel::Account account;
    {
        fuzz::Tasks tasks;
        fuzz::Input in(data, size);
        run(in, tasks.thread(tasks.add()), account);
    } // the bare spaces, then the task: every capability goes
    FUZZ_CHECK(account.kernel_bytes() == 0);
    state.finish();
    return 0;
}
