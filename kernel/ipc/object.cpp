// Destruction of kernel objects when their last capability goes.
#include "ipc/object.hpp"

#include "ipc/endpoint.hpp"
#include "ipc/notification.hpp"
#include "lib/assert.hpp"
#include "mpi_shim/kernel/communicator.hpp"

namespace kernel {

void Kobject::release() {
    VERIFY(m_references > 0);
    if (--m_references) return;
    switch (m_type) {
    case Object_type::endpoint: Endpoint::destroy(static_cast<Endpoint*>(this)); return;
    case Object_type::communicator: Communicator::destroy(static_cast<Communicator*>(this)); return;
    case Object_type::notification: Notification::destroy(static_cast<Notification*>(this)); return;
    }
}

} // namespace kernel
