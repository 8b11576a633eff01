// libFuzzer target: MPI message matching through the communicator's non-blocking system calls
// (mpi_shim/kernel/comm_syscalls.cpp: comm_isend, comm_irecv, comm_recv and comm_probe with a
// zero timeout, comm_wait with a zero timeout, comm_cancel, comm_abort_sends) and a member's
// death, against a reference model that is a plain scan of deques: a send meets the first
// posted receive (post order) that matches it, a receive the first unexpected message (arrival
// order) — the non-overtaking rule of MPI 4.0 section 3.5 — else each is queued. Any
// divergence in status, envelope, payload, request state or the kernel bytes a sender has
// buffered (never negative: comm_buffer_usage, buffered_bytes) aborts.
#include "fuzz_common.hpp"

#include <deque>
#include <iterator>
#include <map>

#include "abi/comm.hpp"
#include "abi/timeout.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"
#include "syscall/syscall.hpp"

namespace {

using Status = ipclab::Status;
constexpr uint64_t world = ipclab::slot_comm_world, buffer = 0x10000, slot_bytes = 128, slots = 256;
constexpr int32_t any = -1;

struct Msg {                  // a send on a destination's unexpected queue
    uint32_t id, src, handle; // handle: the sender's request (rendezvous), 0 for an eager copy
    int32_t tag;
    uint8_t context;
    uint64_t bytes;
};
struct Req { // a request of the model: a posted receive or a queued rendezvous send
    bool receive, done = false;
    Status result = Status::ok;
    int32_t source, tag; // receive: what it asks for, then the envelope received
    uint8_t context;
    uint64_t bytes, at; // receive: capacity, then length received; its buffer
    uint32_t id = 0;    // receive: the message received
};

struct World {
    fuzz::Tasks& tasks;
    kernel::Communicator& comm;
    uint32_t ranks, next_id = 1, next_slot = 0;
    std::vector<std::deque<Msg>> unexpected;
    std::vector<std::deque<uint64_t>> posted;      // handles of posted receives, post order
    std::vector<std::map<uint64_t, Req>> requests; // per rank: handle -> request
    std::vector<uint64_t> buffered;                // per rank: kernel bytes its eager messages hold

    bool alive(uint32_t r) const { return tasks.alive(r); }
    kernel::Thread& thread(uint32_t r) { return tasks.thread(r); }
    static bool matches(const Req& r, uint32_t src, int32_t tag, uint8_t context) {
        return r.context == context && (r.source == any || r.source == int32_t(src)) &&
               (r.tag == any || r.tag == tag);
    }
    static uint8_t payload(uint32_t id, uint64_t i) { return uint8_t(id * 131 + i * 7 + 1); }

    /// Completes the receive `r` of `rank` with message `m`; the sender's request too.
    void deliver(Req& r, const Msg& m) {
        r.done = true;
        r.result = m.bytes > r.bytes ? Status::truncated : Status::ok;
        r.source = int32_t(m.src), r.tag = m.tag, r.id = m.id,
        r.bytes = m.bytes < r.bytes ? m.bytes : r.bytes;
        if (m.handle)
            requests[m.src][m.handle].done = true;
        else
            buffered[m.src] -= m.bytes + sizeof(kernel::Comm_op);
    }
    /// The receive buffer at `at` of `rank` holds the first `n` bytes of message `id`.
    void check_payload(uint32_t rank, uint64_t at, uint32_t id, uint64_t n) {
        uint8_t got[slot_bytes];
        FUZZ_CHECK(kernel::copy_from_user(thread(rank).task().space(), at, got, n) == Status::ok);
        for (uint64_t i = 0; i < n; ++i)
            FUZZ_CHECK(got[i] == payload(id, i));
    }
    void check() {
        for (uint32_t r = 0; r < ranks; ++r) {
            if (alive(r)) FUZZ_CHECK(thread(r).task().comm_buffered() == buffered[r]);
            for (uint32_t to = 0; to < ranks; ++to) {
                uint64_t want = 0;
                for (const Msg& m : unexpected[to])
                    if (m.src == r)
                        want +=
                            m.handle ? sizeof(kernel::Comm_op) : m.bytes + sizeof(kernel::Comm_op);
                FUZZ_CHECK(comm.buffered_bytes(int32_t(r), int32_t(to)) == want);
            }
        }
    }

    /// Task `r` ends: its requests go, sends towards it fail, receives naming it fail.
    void end(uint32_t r) {
        tasks.end(r);
        requests[r].clear();
        posted[r].clear();
        for (auto& q : unexpected)
            for (auto m = q.begin(); m != q.end();)
                m = m->src == r && m->handle ? q.erase(m) : m + 1;
        abort_sends(r, Status::partner_dead);
        for (uint32_t o = 0; o < ranks; ++o) {
            for (auto h = posted[o].begin(); h != posted[o].end();) {
                Req& q = requests[o][*h];
                if (q.source != int32_t(r)) {
                    ++h;
                    continue;
                }
                q.done = true, q.result = Status::partner_dead;
                h = posted[o].erase(h);
            }
        }
    }
    uint64_t abort_sends(uint32_t to, Status why) {
        const uint64_t n = unexpected[to].size();
        for (const Msg& m : unexpected[to]) {
            if (!m.handle)
                buffered[m.src] -= m.bytes + sizeof(kernel::Comm_op);
            else if (alive(m.src))
                requests[m.src][m.handle].done = true, requests[m.src][m.handle].result = why;
        }
        unexpected[to].clear();
        return n;
    }
};

/// comm_isend from `a`: with a posted receive it completes at once, else it is queued.
void isend(fuzz::Input& in, World& w, uint32_t a, uint64_t at) {
    const uint32_t d = in.below(w.ranks);
    const int32_t tag = int32_t(in.below(4));
    const uint8_t context = in.below(4) == 0;
    const bool sync = in.below(4) == 0;
    const uint64_t bytes = in.below(slot_bytes + 1), id = w.next_id++;
    uint8_t data[slot_bytes];
    for (uint64_t i = 0; i < bytes; ++i)
        data[i] = World::payload(uint32_t(id), i);
    FUZZ_CHECK(kernel::copy_to_user(w.thread(a).task().space(), at, data, bytes) == Status::ok);
    const uint64_t flags = context | (sync ? ipclab::comm_isend_synchronous : 0);
    const Status got = fuzz::call(kernel::sys_comm_isend, w.thread(a),
                                  {world, d, uint64_t(tag), at, bytes, flags});
    const uint64_t handle = w.thread(a).frame().arg(0);
    if (!w.alive(d)) {
        FUZZ_CHECK(got == Status::partner_dead);
        return;
    }
    FUZZ_CHECK(got == Status::ok);
    Msg m{uint32_t(id), a, 0, tag, context, bytes};
    const bool eager = !sync && bytes <= ipclab::comm_eager_bytes;
    auto h = w.posted[d].begin();
    while (h != w.posted[d].end() && !World::matches(w.requests[d][*h], a, tag, context))
        ++h;
    if (eager || h != w.posted[d].end()) { // no request: delivered now or an eager copy queued
        FUZZ_CHECK(handle == 0);
        w.buffered[a] += bytes + sizeof(kernel::Comm_op); // deliver() takes it back
        if (h == w.posted[d].end()) return w.unexpected[d].push_back(m);
        w.deliver(w.requests[d][*h], m);
        w.posted[d].erase(h);
        return;
    }
    FUZZ_CHECK(handle != 0 && !w.requests[a].count(handle));
    w.requests[a][handle] = Req{false, false, Status::ok, int32_t(d), tag, context, bytes, at};
    m.handle = uint32_t(handle);
    w.unexpected[d].push_back(m);
}

/// A receive, probe or irecv by `a`: the first unexpected message that matches, in arrival order.
void receive(fuzz::Input& in, World& w, uint32_t a, uint64_t at, unsigned kind) {
    Req r{true,
          false,
          Status::ok,
          in.below(4) ? int32_t(in.below(w.ranks)) : any,
          in.below(3) ? int32_t(in.below(4)) : any,
          uint8_t(in.below(4) == 0),
          in.below(slot_bytes + 1),
          at};
    kernel::Thread& t = w.thread(a);
    auto& q = w.unexpected[a];
    auto m = q.begin();
    while (m != q.end() && !World::matches(r, m->src, m->tag, m->context))
        ++m;
    const bool source_dead = r.source != any && !w.alive(uint32_t(r.source));
    const uint64_t args[] = {
        world, uint64_t(int64_t(r.source)), uint64_t(int64_t(r.tag)), at, r.bytes, r.context};
    if (kind == 0) { // comm_probe: the envelope, the message stays
        const Status got =
            fuzz::call(kernel::sys_comm_probe, t, {args[0], args[1], args[2], 0, 0, args[5]});
        FUZZ_CHECK(got == (m != q.end()  ? Status::ok
                           : source_dead ? Status::partner_dead
                                         : Status::would_block));
        if (got == Status::ok)
            FUZZ_CHECK(t.frame().arg(0) == m->src && t.frame().arg(1) == uint64_t(m->tag) &&
                       t.frame().arg(2) == m->bytes);
        return;
    }
    const Status got =
        fuzz::call(kind == 1 ? kernel::sys_comm_recv : kernel::sys_comm_irecv, t,
                   {args[0], args[1], args[2], args[3], args[4], args[5]}, ipclab::timeout_zero);
    if (m != q.end()) {
        w.deliver(r, *m);
        q.erase(m);
    } else if (source_dead) {
        r.done = true, r.result = Status::partner_dead;
    }
    if (kind == 1) { // comm_recv, zero timeout: done now or would_block
        FUZZ_CHECK(got == (r.done ? r.result : Status::would_block));
        if (got != Status::ok && got != Status::truncated) return;
        const arch::User_frame& f = t.frame();
        FUZZ_CHECK(int64_t(f.arg(0)) == r.source && int64_t(f.arg(1)) == r.tag &&
                   f.arg(2) == r.bytes);
        w.check_payload(a, at, r.id, r.bytes);
        return;
    }
    FUZZ_CHECK(got == Status::ok);
    const uint64_t handle = t.frame().arg(0);
    FUZZ_CHECK(handle != 0 && !w.requests[a].count(handle));
    w.requests[a][handle] = r;
    if (!r.done) w.posted[a].push_back(handle);
}

/// comm_wait (zero timeout) or comm_cancel of one of `a`'s requests, or of a stale handle.
void finish(fuzz::Input& in, World& w, uint32_t a, bool cancel) {
    auto& reqs = w.requests[a];
    uint64_t handle = in.u32();
    if (!reqs.empty() && in.below(8)) {
        auto it = reqs.begin();
        std::advance(it, in.below(uint32_t(reqs.size() < 256 ? reqs.size() : 256)));
        handle = it->first;
    }
    kernel::Thread& t = w.thread(a);
    const Status got = fuzz::call(cancel ? kernel::sys_comm_cancel : kernel::sys_comm_wait, t,
                                  {handle}, ipclab::timeout_zero);
    auto it = reqs.find(handle);
    if (it == reqs.end()) {
        FUZZ_CHECK(got == Status::invalid_request);
        return;
    }
    const Req r = it->second;
    if (cancel) { // a pending request leaves its queue and is freed; a finished one stays
        FUZZ_CHECK(got == Status::ok && t.frame().arg(0) == (r.done ? 0u : 1u));
        if (r.done) return;
        reqs.erase(it);
        if (r.receive)
            std::erase(w.posted[a], handle);
        else
            std::erase_if(w.unexpected[uint32_t(r.source)],
                          [&](const Msg& m) { return m.src == a && m.handle == handle; });
        return;
    }
    FUZZ_CHECK(got == (r.done ? r.result : Status::would_block));
    if (!r.done) return;
    reqs.erase(it);
    if (r.receive && (got == Status::ok || got == Status::truncated)) {
        const arch::User_frame& f = t.frame();
        FUZZ_CHECK(int64_t(f.arg(0)) == r.source && int64_t(f.arg(1)) == r.tag &&
                   f.arg(2) == r.bytes);
        w.check_payload(a, r.at, r.id, r.bytes);
    }
}

void run(fuzz::Input& in, fuzz::Tasks& tasks, kernel::Communicator& comm) {
    const uint32_t n = comm.size();
    World w{tasks,
            comm,
            n,
            1,
            0,
            std::vector<std::deque<Msg>>(n),
            std::vector<std::deque<uint64_t>>(n),
            std::vector<std::map<uint64_t, Req>>(n),
            std::vector<uint64_t>(n)};
    for (uint32_t r = 0; r < w.ranks; ++r) {
        tasks.add();
        kernel::Task& t = tasks.task(r);
        FUZZ_CHECK(t.caps().insert(world, comm, ipclab::rights_all, r) == Status::ok);
        comm.set_member(int32_t(r), t);
        FUZZ_CHECK(t.space().map_zeroed(buffer, slots * slot_bytes, {true, false}) == Status::ok);
    }
    while (in.more() && w.next_slot < slots) {
        const uint32_t a = in.below(w.ranks);
        const unsigned op = in.below(8);
        if (!w.alive(a)) continue;
        const uint64_t at = buffer + slot_bytes * w.next_slot; // each operation's own buffer
        switch (op) {
        case 0:
        case 1:
            isend(in, w, a, at), ++w.next_slot;
            break;
        case 2:
        case 3:
            receive(in, w, a, at, op - 1), ++w.next_slot;
            break; // comm_recv, comm_irecv
        case 4:
            receive(in, w, a, at, 0);
            break; // comm_probe
        case 5:
            finish(in, w, a, in.flag());
            break;
        case 6: { // comm_abort_sends towards a rank
            const uint32_t to = in.below(w.ranks);
            FUZZ_CHECK(fuzz::call(kernel::sys_comm_abort_sends, w.thread(a), {world, to}) ==
                       Status::ok);
            FUZZ_CHECK(w.thread(a).frame().arg(0) == w.abort_sends(to, Status::send_aborted));
            break;
        }
        default:
            if (in.below(4) == 0) w.end(a);
        }
        w.check();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Kernel_state state;
    FUZZ_CHECK(kernel::select_policy("capability"));
    kernel::Account account;
    fuzz::Input in(data, size);
    Status s;
    kernel::Communicator* comm = kernel::Communicator::create(2 + in.below(4), account, s);
    FUZZ_CHECK(comm != nullptr);
    comm->acquire(); // ours, so it outlives its members: every queue is checked to the end
    {
        fuzz::Tasks tasks;
        run(in, tasks, *comm);
    }
    comm->release(); // the last reference: pending eager messages of ended senders go with it
    FUZZ_CHECK(account.kernel_bytes() == 0);
    state.finish();
    return 0;
}
