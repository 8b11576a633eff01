// The thread's UTCB, found once through the auxiliary vector.
#include <sys/auxv.h>

#include "abi/boot.hpp"
#include "ipclab/ipc.hpp"

namespace ipclab {

Utcb& utcb() {
    static Utcb* cached = reinterpret_cast<Utcb*>(getauxval(aux_utcb));
    return *cached;
}

} // namespace ipclab
