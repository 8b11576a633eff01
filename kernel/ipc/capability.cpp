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
