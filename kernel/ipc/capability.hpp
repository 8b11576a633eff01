// Capabilities and the per-task capability space: an array of slots, so finding the object a
// send names is one index operation, O(1) (the mikro chandle idea, seeds/003; seL4's CNode).
#pragma once

#include <stdint.h>

#include "abi/capability.hpp"
#include "abi/status.hpp"
#include "ipc/object.hpp"

namespace kernel {

using ipclab::Status;

/// A capability: which object, which rights, and the badge delivered to the receiver with
/// every message sent through it (the per-client datum of seeds/003; seL4 badges).
struct Capability {
    Kobject* object = nullptr;
    uint64_t badge = 0;
    uint8_t rights = 0;
};

class Cap_space {
public:
    Cap_space() = default;
    Cap_space(const Cap_space&) = delete;
    Cap_space& operator=(const Cap_space&) = delete;
    ~Cap_space() { clear(); }

    /// Places a capability to `object` in an empty `slot`.
    /// Errors: invalid_capability (slot 0, out of range or occupied), invalid_argument (rights).
    Status insert(uint64_t slot, Kobject& object, uint8_t rights, uint64_t badge);
    /// Places in `to` a capability to the object `from` names, with `rights` (a subset of
    /// its rights) and `badge` (0 keeps the source's badge; a badged capability cannot be
    /// re-badged, as in seL4's Mint). Errors: invalid_capability (empty `from`, bad or
    /// occupied `to`), insufficient_rights (rights not in the source), invalid_argument
    /// (unknown rights bits, re-badging).
    Status derive(uint64_t from, uint64_t to, uint64_t rights, uint64_t badge);
    /// Deletes the capability in `slot` (no-op if empty); may destroy the object.
    void remove(uint64_t slot);
    /// Deletes every capability.
    void clear();

    /// The capability in `slot` if it names a T and carries every right in `rights`.
    /// Errors, checked in this order: invalid_capability, wrong_object_type,
    /// insufficient_rights. Never has side effects (seL4's decode stage).
    template <typename T>
    Status lookup(uint64_t slot, uint8_t rights, T*& object, uint64_t& badge) const {
        if (slot >= ipclab::cap_slots || !m_slots[slot].object) return Status::invalid_capability;
        const Capability& c = m_slots[slot];
        if (c.object->type() != T::object_type) return Status::wrong_object_type;
        if ((c.rights & rights) != rights) return Status::insufficient_rights;
        object = static_cast<T*>(c.object);
        badge = c.badge;
        return Status::ok;
    }

    const Capability& at(unsigned slot) const { return m_slots[slot]; }

private:
    Capability m_slots[ipclab::cap_slots];
};

} // namespace kernel
