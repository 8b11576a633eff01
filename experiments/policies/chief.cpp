// The chief of a clan (policy clans-chiefs, seeds/004; docs/policies.md): the kernel
// redirects to it every message by thread id that leaves its clan or enters it from outside;
// it decides, and forwards what it allows to the intended receiver in the original sender's
// name (ipc_call_tid_as / ipc_send_tid_as), answering a call with what came back.
//
// usage: chief [--forward call|send] [--refuse FROM[:TO]]...
//            slot 2: its inbox endpoint (receive). A daemon: it serves its inbox forever.
//   --forward   how it passes messages on (default call). The kernel does not tell a receiver
//               whether a message was sent or called (docs/native-ipc.md), so a chief forwards
//               as its clan's protocol says: `call` waits for the addressee's reply and
//               answers the caller with it (the addressee must reply; a forwarded send then
//               waits for that reply too), `send` forwards and answers a caller with an
//               empty message (label 0) at once.
//   --refuse    a message from thread FROM to thread TO (`*`: any) is not passed on: a caller
//               gets label_refused (overseer.hpp) with MR0 0, a send is dropped. Repeatable.
// It also refuses a message with items (string, capability, map) and one sent to it by
// thread id that is not redirected; a message through a capability to its inbox is a query
// (overseer::Counts). One message at a time: while it forwards a call, others wait in its
// inbox, so a call between clans whose addressee calls back through the same chiefs deadlocks.
#include "experiments/policies/overseer.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t item_bits =
    Message_tag::string_bit | Message_tag::cap_bit | Message_tag::map_bit;

bool by_call = true;
overseer::Refusals refusals;

/// What to answer `m`, a message by thread id redirected to this chief (or sent to it).
Message forward(const Received& m, overseer::Counts& counts) {
    const uint64_t from = m.badge, to = intended_receiver(m);
    if (!to || (m.message.tag.raw() & item_bits) || refusals.refuses(from, to)) {
        ++counts.refused;
        return overseer::refused();
    }
    Message out = m.message;
    out.tag = overseer::passed_on(out.tag);
    // MR4.. of `m` are still in this thread's UTCB, where the forwarded message takes them
    // from; a reply's MR4.. arrive there too, for the answer.
    if (!by_call) {
        const Status s = ipc_send_tid_as(to, from, out);
        if (s != Status::ok) return overseer::refused(s);
        ++counts.ipcs;
        return Message{Message_tag{0, 0}, {}};
    }
    const Received back = ipc_call_tid_as(to, from, out);
    if (back.status != Status::ok) return overseer::refused(back.status);
    counts.ipcs += 2; // its call, and its answer to the caller
    Message answer = back.message;
    answer.tag = overseer::passed_on(answer.tag);
    return answer;
}

} // namespace

int main(int argc, char** argv) {
    const bool ok = overseer::parse_options("chief", argc, argv, refusals, [](int n, char** w) {
        if (n < 2 || strcmp(w[0], "--forward") != 0) return 0;
        if (strcmp(w[1], "call") != 0 && strcmp(w[1], "send") != 0) return 0;
        by_call = !strcmp(w[1], "call");
        return 2;
    });
    if (!ok) {
        fprintf(stderr, "usage: chief [--forward call|send] [--refuse FROM[:TO]]...\n");
        return 2;
    }
    overseer::serve("chief", forward);
}
