// A reference monitor (policy ref-monitor, seeds/004; docs/policies.md): the kernel calls it
// when a task it monitors first sends by thread id to a partner it has no answer for (label
// ipc_right_fault_label, badge the sender's thread id, MR0 the addressee, MR1 1 for a call);
// it grants (MR0 1) unless its arguments refuse the pair (MR0 0). The kernel keeps the answer.
//
// usage: monitor [--refuse FROM[:TO]]...
//            slot 2: its inbox endpoint (receive). A daemon: it serves its inbox forever.
//   --refuse    the first send from thread FROM to thread TO (`*`: any) is refused, and with it
//               every later one (the kernel keeps the refusal). Repeatable.
// A message sent to it by thread id that is not an exception gets label_refused
// (overseer.hpp); a message through a capability to its inbox is a query (overseer::Counts).
#include "experiments/policies/overseer.hpp"

using namespace ipclab;

namespace {

overseer::Refusals refusals;

/// The answer to `m`, an exception or a message by thread id sent to the monitor itself.
Message decide(const Received& m, overseer::Counts& counts) {
    if (m.message.tag.label() != ipc_right_fault_label) {
        ++counts.refused;
        return overseer::refused();
    }
    const bool grant = !refusals.refuses(m.badge, m.message.mr[0]);
    counts.ipcs += 2; // the kernel's call on the sender's behalf, and this answer
    counts.refused += !grant;
    return Message{Message_tag{0, 1}, {grant}};
}

} // namespace

int main(int argc, char** argv) {
    if (!overseer::parse_options("monitor", argc, argv, refusals, [](int, char**) { return 0; })) {
        fprintf(stderr, "usage: monitor [--refuse FROM[:TO]]...\n");
        return 2;
    }
    overseer::serve("monitor", decide);
}
