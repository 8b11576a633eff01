// `clans-chiefs` (seeds/004, L4's first answer to "who may talk to whom"): every task is
// owned by a chief; a clan is the tasks with the same chief. IPC by thread id inside a clan
// is direct, and so is IPC between a member and its own chief. Anything leaving a clan goes
// to the sender's chief, anything entering one from outside to that clan's chief: one IPC
// between clans becomes three (member -> its chief -> the other chief -> member), and the
// chiefs decide every time (no decision is cached). Chiefs forward with ipc_send_tid_as /
// ipc_call_tid_as ("deceiving": the receiver sees the original sender). Sends through endpoint
// capabilities are not redirected: a capability is already a decision.
#include "policy/policy.hpp"
#include "task/task.hpp"
#include "task/thread_registry.hpp"

namespace kernel {

namespace {

using Verdict = Ipc_decision::Verdict;

class Clans_chiefs final : public Policy {
public:
    constexpr explicit Clans_chiefs(const char* name) : Policy(name, true) {}

    /// MPI as under `capability`: a communicator capability lets its holder reach every rank.
    Status comm_send(const Communicator&, int32_t, int32_t) const override { return Status::ok; }

    Ipc_decision ipc_send_tid(const Ipc_request& r) const override {
        const uint64_t sender_clan = r.sender.task().chief, target_clan = r.target.task().chief;
        if (sender_clan == target_clan || r.target.id() == sender_clan || r.sender.id() == target_clan) return {};
        return {Verdict::redirect, sender_clan ? sender_clan : target_clan};
    }

    /// A chief may speak for a member of its clan (sending out) and for anyone into its clan.
    bool may_deceive(const Thread& sender, uint64_t virtual_sender, const Thread& target) const override {
        if (target.task().chief == sender.id()) return true;
        const Thread* claimed = thread_registry().find(virtual_sender);
        return claimed && claimed->task().chief == sender.id();
    }
};

constinit const Clans_chiefs instance{"clans-chiefs"};

} // namespace

const Policy& policy_clans_chiefs() { return instance; }

} // namespace kernel
