// What a task finds at start: the auxiliary-vector entries the kernel adds for ipclab.
#pragma once

namespace ipclab {

/// Auxiliary-vector type holding the address of the thread's UTCB (abi/utcb.hpp). Chosen
/// above Linux's AT_* numbers; read it with getauxval(aux_utcb).
inline constexpr unsigned long aux_utcb = 0x1c0b;

} // namespace ipclab
