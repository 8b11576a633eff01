// `ref-monitor` (seeds/004, IPC redirection): every task may have a reference monitor. The
// first send by thread id to a new partner raises an exception at the monitor (the kernel
// calls it on the sender's behalf, abi/message.hpp ipc_right_fault_label), which grants or
// refuses; the answer is kept in the sender's task, so later sends to that partner are
// direct (or refused) without asking again: "no per-IPC overhead, only one exception in the
// beginning". A task without a monitor is not checked, and a task may always send to its
// own monitor. Sends through endpoint capabilities are not checked: a capability is already
// a decision.
#include "policy/policy.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

using Verdict = Ipc_decision::Verdict;

class Ref_monitor final : public Policy {
public:
    constexpr explicit Ref_monitor(const char* name) : Policy(name, true) {}

    /// MPI as under `capability`: a communicator capability lets its holder reach every rank.
    Status comm_send(const Communicator&, int32_t, int32_t) const override { return Status::ok; }

    Ipc_decision ipc_send_tid(const Ipc_request& r) const override {
        const Task& task = r.sender.task();
        if (!task.monitor || r.target.id() == task.monitor) return {};
        switch (task.ipc_right(r.target.id())) {
        case Task::Ipc_right::granted: return {};
        case Task::Ipc_right::refused: return {Verdict::deny};
        case Task::Ipc_right::unknown: break;
        }
        return {Verdict::ask_monitor};
    }
};

constinit const Ref_monitor instance{"ref-monitor"};

} // namespace

const Policy& policy_ref_monitor() { return instance; }

} // namespace kernel
