// How a run ends (list in abi/run_status.def).
#pragma once

namespace ipclab {

enum class Run_status : unsigned {
#define IPCLAB_RUN_STATUS(name, value, description) name = value,
#include "run_status.def"
#undef IPCLAB_RUN_STATUS
};

constexpr const char* run_status_name(Run_status s) {
    switch (s) {
#define IPCLAB_RUN_STATUS(name, value, description)                                                \
    case Run_status::name: return #name;
#include "run_status.def"
#undef IPCLAB_RUN_STATUS
    }
    return "unknown";
}

} // namespace ipclab
