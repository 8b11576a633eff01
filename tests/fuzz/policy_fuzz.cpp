// libFuzzer target: every policy of kernel/policy/policies.def asked random questions, each
// twice (a decision is deterministic), against what docs/policies.md promises: comm_send
// consults the rights table only under mpi-rights, mpi-blocking, mpi-timeout and mpi-credit;
// no non-blocking send under mpi-blocking and mpi-timeout; mpi-credit's bound per sender and
// receiver (16 x (4 KiB + one operation)) over the bytes really queued, which buffered_bytes
// must count exactly and never below zero; a send timeout only under mpi-timeout; ipc_send_tid
// always allow unless the policy says it restricts thread ids (the IPC fast path relies on
// it), clans-chiefs' redirections, ref-monitor's cached answers (the last 16 partners, as
// Task::record_ipc_right keeps them) and may_deceive.
#include "fuzz_common.hpp"

#include <string.h>

#include <deque>
#include <string>

#include "abi/timeout.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"
#include "task/thread_registry.hpp"

namespace {

using Status = ipclab::Status;
using Verdict = kernel::Ipc_decision::Verdict;

const char* const policies[] = {
#define IPCLAB_POLICY(id, name, description) name,
#include "policy/policies.def"
#undef IPCLAB_POLICY
};
constexpr uint32_t policy_count = sizeof policies / sizeof policies[0];
constexpr uint64_t credit_bytes = 16 * (4096 + sizeof(kernel::Comm_op));

bool named(const char* policy, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (!strcmp(policy, n)) return true;
    return false;
}

struct World {
    fuzz::Tasks& tasks;
    kernel::Communicator& comm;
    std::vector<bool> denied;           // the rights table, [from * size + to]
    std::deque<kernel::Comm_op> queued; // sends on the communicator's unexpected queues
    std::vector<std::deque<std::pair<uint64_t, bool>>>
        answers; // per task: the monitor's, oldest first

    kernel::Thread& thread(fuzz::Input& in) { return tasks.thread(in.below(tasks.size())); }
    /// A thread id: one of the world's, 0, or any.
    uint64_t id(fuzz::Input& in) {
        switch (in.below(4)) {
        case 0:
            return 0;
        case 1:
            return in.u64();
        default:
            return thread(in).id();
        }
    }
    uint64_t buffered(int32_t from, int32_t to) const {
        uint64_t total = 0;
        for (const kernel::Comm_op& op : queued)
            if (op.rank == from && op.peer == to)
                total += op.eager    ? op.bytes + sizeof(kernel::Comm_op)
                         : op.handle ? sizeof(kernel::Comm_op)
                                     : 0;
        return total;
    }
    kernel::Task::Ipc_right answer(unsigned task, uint64_t target) const {
        for (auto [t, granted] : answers[task])
            if (t == target)
                return granted ? kernel::Task::Ipc_right::granted
                               : kernel::Task::Ipc_right::refused;
        return kernel::Task::Ipc_right::unknown;
    }
};

/// One question, asked of every policy of policies.def in turn (each twice).
void ask(fuzz::Input& in, World& w) {
    const uint32_t n = w.comm.size();
    const unsigned kind = in.below(4);
    const int32_t from = int32_t(in.below(n)), to = int32_t(in.below(n));
    const kernel::Thread &sender = w.thread(in), &target = w.thread(in);
    const bool call = in.flag();
    const uint64_t virtual_sender = w.id(in), held = w.buffered(from, to);
    uint64_t bytes = in.flag() ? in.u16() % 5000 : in.u32(), charge = sizeof(kernel::Comm_op);
    if (bytes <= ipclab::comm_eager_bytes && in.flag()) charge += bytes; // an eager copy
    if (in.below(4) == 0 && held < credit_bytes)
        charge = credit_bytes - held + in.below(3) - 1; // at the credit's edge
    FUZZ_CHECK(w.comm.buffered_bytes(from, to) == held);
    for (const char* name : policies) {
        FUZZ_CHECK(kernel::select_policy(name) && !strcmp(kernel::policy().name(), name));
        FUZZ_CHECK(kernel::find_policy(name) == &kernel::policy());
        const kernel::Policy& p = kernel::policy();
        FUZZ_CHECK(p.comm_send_timeout() ==
                   (named(name, {"mpi-timeout"}) ? 100'000'000 : ipclab::timeout_infinite));
        switch (kind) {
        case 0: { // comm_send
            const Status got = p.comm_send(w.comm, from, to);
            FUZZ_CHECK(got == p.comm_send(w.comm, from, to));
            const bool table =
                named(name, {"mpi-rights", "mpi-blocking", "mpi-timeout", "mpi-credit"});
            FUZZ_CHECK(got == (table && w.denied[uint32_t(from) * n + uint32_t(to)] ? Status::denied
                                                                                    : Status::ok));
            break;
        }
        case 1: { // comm_nonblocking_send
            const kernel::Buffer_request r{sender.task(), w.comm, from, to, bytes, charge};
            const Status got = p.comm_nonblocking_send(r);
            FUZZ_CHECK(got == p.comm_nonblocking_send(r));
            Status want = Status::ok;
            if (named(name, {"mpi-blocking", "mpi-timeout"})) want = Status::unsupported;
            if (named(name, {"mpi-credit"}) && held + charge > credit_bytes)
                want = Status::credit_exhausted;
            FUZZ_CHECK(got == want);
            if (got == Status::ok) { // a smaller request is never refused where a larger one passes
                const kernel::Buffer_request smaller{r.sender, w.comm,    from,
                                                     to,       bytes / 2, charge / 2};
                FUZZ_CHECK(p.comm_nonblocking_send(smaller) == Status::ok);
            }
            break;
        }
        case 2: { // ipc_send_tid
            const kernel::Ipc_request r{sender, target, call};
            const kernel::Ipc_decision d = p.ipc_send_tid(r), again = p.ipc_send_tid(r);
            FUZZ_CHECK(d.verdict == again.verdict && d.redirect_to == again.redirect_to);
            FUZZ_CHECK(d.verdict <= Verdict::ask_monitor);
            kernel::Ipc_decision want{};
            const kernel::Task &from_task = sender.task(), &to_task = target.task();
            if (named(name, {"clans-chiefs"})) {
                if (from_task.chief != to_task.chief && target.id() != from_task.chief &&
                    sender.id() != to_task.chief)
                    want = {Verdict::redirect, from_task.chief ? from_task.chief : to_task.chief};
            } else if (named(name, {"ref-monitor"}) && from_task.monitor &&
                       target.id() != from_task.monitor) {
                unsigned task = 0;
                while (&w.tasks.task(task) != &from_task)
                    ++task;
                switch (w.answer(task, target.id())) {
                case kernel::Task::Ipc_right::granted:
                    break;
                case kernel::Task::Ipc_right::refused:
                    want.verdict = Verdict::deny;
                    break;
                case kernel::Task::Ipc_right::unknown:
                    want.verdict = Verdict::ask_monitor;
                    break;
                }
            }
            FUZZ_CHECK(d.verdict == want.verdict && d.redirect_to == want.redirect_to);
            FUZZ_CHECK(p.restricts_thread_ids() ||
                       d.verdict == Verdict::allow); // what the fast path assumes
            if (d.verdict == Verdict::redirect) FUZZ_CHECK(d.redirect_to != 0);
            break;
        }
        default: { // may_deceive
            const bool got = p.may_deceive(sender, virtual_sender, target);
            FUZZ_CHECK(got == p.may_deceive(sender, virtual_sender, target));
            bool want = false;
            if (named(name, {"clans-chiefs"})) {
                const kernel::Thread* claimed = kernel::thread_registry().find(virtual_sender);
                want = target.task().chief == sender.id() ||
                       (claimed && claimed->task().chief == sender.id());
            }
            FUZZ_CHECK(got == want);
        }
        }
    }
}

void run(fuzz::Input& in, fuzz::Tasks& tasks, kernel::Communicator& comm) {
    const uint32_t n = comm.size();
    World w{tasks, comm, std::vector<bool>(size_t(n) * n), {}, {}};
    for (unsigned i = 2 + in.below(5); i > 0; --i)
        tasks.add();
    w.answers.resize(tasks.size());
    while (in.more()) {
        switch (in.below(7)) {
        case 0: { // the rights table
            const int32_t from = int32_t(in.below(n)), to = int32_t(in.below(n));
            const bool allowed = in.flag();
            FUZZ_CHECK(comm.set_right(from, to, allowed) == Status::ok);
            w.denied[uint32_t(from) * n + uint32_t(to)] = !allowed;
            break;
        }
        case 1: { // a send queued at its destination: eager, a rendezvous request or blocking
            kernel::Comm_op& op = w.queued.emplace_back();
            op.rank = int32_t(in.below(n)), op.peer = int32_t(in.below(n)), op.tag = in.u8();
            op.eager = in.below(3) == 0, op.handle = in.flag() ? 1 + in.u8() : 0,
            op.bytes = in.u16() % 5000;
            comm.post_send(op);
            break;
        }
        case 2: { // chiefs and monitors, as run descriptions set them
            kernel::Task& t = tasks.task(in.below(tasks.size()));
            (in.flag() ? t.chief : t.monitor) = w.id(in);
            break;
        }
        case 3: { // a monitor's answer, kept by the task
            const unsigned t = in.below(tasks.size());
            uint64_t target = w.id(in);
            if (!target) target = 1; // thread ids start at 1; ipc_tid.cpp records only real ones
            const bool granted = in.flag();
            tasks.task(t).record_ipc_right(target, granted);
            auto& a = w.answers[t];
            auto it = a.begin();
            while (it != a.end() && it->first != target)
                ++it;
            if (it != a.end())
                it->second = granted;
            else
                a.push_back({target, granted});
            if (a.size() > kernel::Task::ipc_rights_kept) a.pop_front();
            break;
        }
        case 4: { // an unknown name leaves the policy as it was
            const std::string name(1 + in.below(12), char('a' + in.below(26)));
            const kernel::Policy& before = kernel::policy();
            const bool known = kernel::find_policy(name.c_str()) != nullptr;
            FUZZ_CHECK(kernel::select_policy(name.c_str()) == known);
            if (!known) FUZZ_CHECK(&kernel::policy() == &before);
            break;
        }
        default:
            ask(in, w);
        }
    }
    for (kernel::Comm_op& op : w.queued)
        comm.withdraw(op); // ours, not the kernel's to free
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Kernel_state state;
    kernel::Account account;
    fuzz::Input in(data, size);
    {
        fuzz::Tasks tasks;
        FUZZ_CHECK(kernel::select_policy(policies[in.below(policy_count)]));
        Status s;
        kernel::Communicator* comm = kernel::Communicator::create(1 + in.below(8), account, s);
        FUZZ_CHECK(comm != nullptr && comm->send_timeout() == kernel::policy().comm_send_timeout());
        comm->acquire();
        run(in, tasks, *comm);
        comm->release();
    }
    FUZZ_CHECK(account.kernel_bytes() == 0);
    state.finish();
    return 0;
}
