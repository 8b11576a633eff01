// Status codes shared by the kernel and user space (list in abi/status.def).
#pragma once

namespace ipclab {

/// Result of every native system call and of the kernel objects behind them. Travels
/// unchanged from the object that decided it to the caller's rax.
enum class [[nodiscard]] Status : long {
#define IPCLAB_STATUS(name, value, description) name = value,
#include "status.def"
#undef IPCLAB_STATUS
};

/// Short name of a status ("invalid_capability"), or "unknown" for a value not in the list.
constexpr const char* status_name(Status s) {
    switch (s) {
#define IPCLAB_STATUS(name, value, description)                                                    \
    case Status::name: return #name;
#include "status.def"
#undef IPCLAB_STATUS
    }
    return "unknown";
}

/// One-sentence description of a status, for error messages.
constexpr const char* status_description(Status s) {
    switch (s) {
#define IPCLAB_STATUS(name, value, description)                                                    \
    case Status::name: return description;
#include "status.def"
#undef IPCLAB_STATUS
    }
    return "unknown status";
}

} // namespace ipclab
