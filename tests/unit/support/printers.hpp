// GoogleTest printers for kernel types, so a failed expectation names the status.
#pragma once

#include <ostream>

#include "abi/status.hpp"

namespace ipclab {

inline void PrintTo(Status s, std::ostream* os) { *os << status_name(s); }

} // namespace ipclab
