// What the overseers of native IPC by thread id share (docs/policies.md, "The chief and
// monitor programs"): the chief of clans-chiefs and the reference monitor of ref-monitor
// bind an inbox, serve it forever, refuse the pairs their arguments name, and answer a
// query through a capability with what they did. tid_pingpong asks them for the IPCs they
// added to its round trips.
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipclab/ipc.hpp"

namespace overseer {

/// Slot of the overseer's inbox endpoint (receive right), bound with ipc_bind_inbox.
inline constexpr uint64_t slot_inbox = 2;
/// Label of an overseer's answer to a message it does not pass on: MR0 0 when it refused it
/// (a refused pair, a message with items, one not redirected to it), else the Status with
/// which passing it on failed.
inline constexpr uint64_t label_refused = 0x7ef;

/// What an overseer answers to a query (any message through a capability to its inbox, not
/// by thread id): MR0 the IPCs it made on behalf of others (a forwarded call: its call and
/// its reply; a forwarded send: 1; an exception answered: 2, the kernel's call and its
/// answer); MR1 the messages and exceptions it refused.
struct Counts {
    uint64_t ipcs = 0, refused = 0;
};

/// The thread pairs an overseer refuses: --refuse FROM[:TO], thread ids or `*` (any);
/// FROM alone means FROM:*.
class Refusals {
public:
    /// Adds "FROM[:TO]"; false if malformed or full.
    bool add(const char* text) {
        if (m_count == max_pairs) return false;
        const char* rest = nullptr;
        if (!parse_id(text, m_from[m_count], rest)) return false;
        if (*rest == ':') {
            if (!parse_id(rest + 1, m_to[m_count], rest)) return false;
        } else {
            m_to[m_count] = any;
        }
        if (*rest) return false;
        ++m_count;
        return true;
    }

    /// Whether a message from thread `from` to thread `to` is refused.
    bool refuses(uint64_t from, uint64_t to) const {
        for (unsigned i = 0; i < m_count; ++i)
            if ((m_from[i] == any || m_from[i] == from) && (m_to[i] == any || m_to[i] == to))
                return true;
        return false;
    }

private:
    static constexpr unsigned max_pairs = 64;
    static constexpr uint64_t any = 0; // thread ids start at 1

    static bool parse_id(const char* text, uint64_t& id, const char*& rest) {
        if (*text == '*') {
            id = any;
            rest = text + 1;
            return true;
        }
        char* end;
        id = strtoull(text, &end, 10);
        rest = end;
        return end != text && id != any;
    }

    uint64_t m_from[max_pairs] = {}, m_to[max_pairs] = {};
    unsigned m_count = 0;
};

/// The tag a received message is passed on with: its label and length, without the bits the
/// kernel sets (by thread id, redirected), which a sender may not set.
inline ipclab::Message_tag passed_on(ipclab::Message_tag t) {
    return ipclab::Message_tag{t.label(), t.length()};
}

/// The answer to a message not passed on: refused (`why` ok) or failed with `why`.
inline ipclab::Message refused(ipclab::Status why = ipclab::Status::ok) {
    return ipclab::Message{ipclab::Message_tag{label_refused, 1}, {uint64_t(why)}};
}

/// Binds the inbox and serves it forever: `answer(message, counts)` decides what to answer a
/// message by thread id; a query is answered with the counts. Every answer goes out with
/// reply_recv, so a message that was sent, not called, is answered to nobody (the kernel
/// drops a reply without a caller, docs/native-ipc.md). `name` prefixes errors.
template <class Answer> [[noreturn]] void serve(const char* name, Answer answer) {
    if (ipclab::Status s = ipclab::ipc_bind_inbox(slot_inbox); s != ipclab::Status::ok) {
        fprintf(stderr, "%s: cannot bind its inbox (slot %lu): %s\n", name,
                (unsigned long)slot_inbox, ipclab::status_name(s));
        exit(1);
    }
    Counts counts;
    ipclab::Received m = ipclab::ipc_recv(slot_inbox);
    for (;;) {
        if (m.status != ipclab::Status::ok) { // a failed transfer: nothing to answer
            m = ipclab::ipc_recv(slot_inbox);
            continue;
        }
        const ipclab::Message out =
            m.message.tag.by_thread_id()
                ? answer(m, counts)
                : ipclab::Message{ipclab::Message_tag{0, 2}, {counts.ipcs, counts.refused}};
        m = ipclab::ipc_reply_recv(slot_inbox, out);
    }
}

/// Reads the --refuse options of argv[1..argc); false (after a message) on anything else but
/// the options `other(remaining, words)` accepts (it returns how many words it took, 0 for
/// none).
template <class Other>
bool parse_options(const char* name, int argc, char** argv, Refusals& refusals, Other other) {
    for (int i = 1; i < argc;) {
        if (!strcmp(argv[i], "--refuse") && i + 1 < argc) {
            if (!refusals.add(argv[i + 1])) {
                fprintf(stderr, "%s: bad --refuse '%s' (FROM[:TO], thread ids or *)\n", name,
                        argv[i + 1]);
                return false;
            }
            i += 2;
        } else if (int taken = other(argc - i, argv + i)) {
            i += taken;
        } else {
            fprintf(stderr, "%s: unknown argument '%s'\n", name, argv[i]);
            return false;
        }
    }
    return true;
}

} // namespace overseer
