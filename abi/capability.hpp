// Capability rights and the well-known capability slots of a task.
#pragma once

#include <stdint.h>

namespace ipclab {

/// Rights a capability carries (seL4 manual 3.1.2: read = receive, write = send, grant).
enum Rights : uint8_t {
    right_send = 1u << 0,    ///< may send to (or call) the object
    right_receive = 1u << 1, ///< may receive from the object
    right_grant = 1u << 2,   ///< may pass capabilities in a message (issue 3)
    rights_all = right_send | right_receive | right_grant,
};

/// Object types as cap_info reports them.
enum Object_kind : uint8_t { object_endpoint = 1, object_communicator = 2, object_notification = 3 };

/// Slots in a task's capability space: 0 .. cap_slots-1. Lookup is an array index, O(1).
inline constexpr unsigned cap_slots = 256;
/// Slot 0 is never filled, so a zero slot number is always an error.
inline constexpr unsigned slot_null = 0;
/// Where the run description puts a task's capability to MPI_COMM_WORLD.
inline constexpr unsigned slot_comm_world = 1;

} // namespace ipclab
