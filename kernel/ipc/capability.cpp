// Capability space operations.
#include "ipc/capability.hpp"

namespace kernel {

Status Cap_space::insert(uint64_t slot, Kobject& object, uint8_t rights, uint64_t badge) {
    if (slot == ipclab::slot_null || slot >= ipclab::cap_slots || m_slots[slot].object)
        return Status::invalid_capability;
    if (rights & ~ipclab::rights_all) return Status::invalid_argument;
    object.acquire();
    m_slots[slot] = Capability{&object, badge, rights};
    return Status::ok;
}

Status Cap_space::derive(uint64_t from, uint64_t to, uint64_t rights, uint64_t badge) {
    if (from >= ipclab::cap_slots || !m_slots[from].object) return Status::invalid_capability;
    const Capability c = m_slots[from];
    if (rights & ~uint64_t(ipclab::rights_all)) return Status::invalid_argument;
    if (rights & ~uint64_t(c.rights)) return Status::insufficient_rights;
    // A badge is an identity: a badged capability keeps it (and a communicator capability's
    // badge, its holder's rank, is never changed, not even from rank 0's 0).
    const bool fixed_badge = c.badge || c.object->type() == Object_type::communicator;
    if (badge && badge != c.badge && fixed_badge) return Status::invalid_argument;
    return insert(to, *c.object, uint8_t(rights), badge ? badge : c.badge);
}

void Cap_space::remove(uint64_t slot) {
    if (slot >= ipclab::cap_slots || !m_slots[slot].object) return;
    Kobject* object = m_slots[slot].object;
    m_slots[slot] = Capability{};
    object->release();
}

void Cap_space::clear() {
    for (unsigned s = 0; s < ipclab::cap_slots; ++s) remove(s);
}

} // namespace kernel
