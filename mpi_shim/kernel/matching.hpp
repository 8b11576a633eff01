// MPI message matching (MPI-3.1 section 3.5): a receive pattern against a message envelope,
// and the first match in arrival order, which keeps messages from one sender from
// overtaking each other.
#pragma once

#include <stdint.h>

#include "abi/comm.hpp"

namespace kernel {

/// What identifies a message for matching: its source rank, its tag and its context.
struct Envelope {
    int32_t source;
    int32_t tag;
    uint8_t context;
};

/// What a receive asks for; source and tag may be the wildcards comm_any_source/any_tag.
struct Receive_pattern {
    int32_t source;
    int32_t tag;
    uint8_t context;

    constexpr bool matches(const Envelope& e) const {
        return e.context == context && (source == ipclab::comm_any_source || source == e.source) &&
               (tag == ipclab::comm_any_tag || tag == e.tag);
    }
};

/// First element of a FIFO list (lib/list.hpp interface) whose envelope, as `envelope_of`
/// gives it, matches `pattern`; nullptr if none. Arrival order is list order.
template <typename Queue, typename Item, typename Get>
Item* first_match(const Queue& queue, const Receive_pattern& pattern, Get envelope_of) {
    for (Item* i = queue.front(); i; i = queue.next(*i))
        if (pattern.matches(envelope_of(*i))) return i;
    return nullptr;
}

} // namespace kernel
