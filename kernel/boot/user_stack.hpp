// The initial user stack of the System V x86-64 ABI (section 3.4.1): argc, argv, envp and
// the auxiliary vector the C library's start-up code reads.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "boot/elf_loader.hpp"
#include "boot/manifest.hpp"
#include "mem/address_space.hpp"

namespace kernel {

struct Stack_request {
    const char* cmdline;        ///< the module's command line: argv, split at blanks;
                                ///< "double quotes" keep blanks inside one argument
    const Manifest* manifest;   ///< environment: the manifest's env lines for `task`
    uint32_t task;
    const Elf_image* image;
    uint64_t utcb;              ///< announced under ipclab::aux_utcb
    uint64_t seed;              ///< AT_RANDOM bytes are derived from it: runs repeat exactly
};

/// Writes the start-up data below Layout::stack_top, in a stack already mapped, and returns
/// the initial stack pointer in `rsp`. Errors: false with `error` naming the problem
/// (arguments too long or too many).
bool build_user_stack(Address_space& space, const Stack_request& request, uint64_t& rsp, const char*& error);

} // namespace kernel
