// The calling thread's UTCB, through the GS base the kernel sets.
#include "ipclab/ipc.hpp"

namespace ipclab {

Utcb& utcb() {
    // Per thread: the kernel points each thread's GS base at its own UTCB.
    Utcb* u;
    asm("mov %%gs:%c1, %0" : "=r"(u) : "i"(utcb_self_offset));
    return *u;
}

} // namespace ipclab
