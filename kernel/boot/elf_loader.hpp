// Loading a static x86-64 ELF executable from a boot module into a task's address space.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/status.hpp"
#include "mem/address_space.hpp"

namespace kernel {

/// What the initial stack's auxiliary vector and the program break need to know.
struct Elf_image {
    uint64_t entry;
    uint64_t phdr_address; ///< program headers in the task's memory (AT_PHDR), 0 if unmapped
    uint64_t phdr_count;
    uint64_t phdr_size;
    uint64_t end;          ///< end of the highest segment: the program break starts here
};

/// Checks that image[0..size) is a static x86-64 executable (ET_EXEC) whose loadable
/// segments lie in the user half and inside the file, and fills `out`. On failure returns
/// false with `error` naming the problem ("not an ELF file", ...). No side effects.
bool inspect_elf(const uint8_t* image, size_t size, Elf_image& out, const char*& error);

/// Maps and fills every loadable segment of an image that inspect_elf accepted.
/// Errors: out_of_memory, invalid_argument (segments overlapping each other).
ipclab::Status load_elf(const uint8_t* image, Address_space& space);

} // namespace kernel
