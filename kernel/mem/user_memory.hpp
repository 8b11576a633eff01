// Validated access to user memory. The kernel never dereferences a user pointer: it walks the
// owning task's page table and goes through the direct map, so a bad pointer is an error
// status, never a kernel fault, and copies between two address spaces need no mapping trick.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mem/address_space.hpp"

namespace kernel {

/// Whether [addr, addr + bytes) lies in the user half without wrapping (no page-table walk).
inline bool in_user_half(uint64_t addr, uint64_t bytes) {
    return addr >= arch::user_base && addr <= arch::user_end && bytes <= arch::user_end - addr;
}
/// Checks that [addr, addr + bytes) is mapped in `space` with `access` for user mode.
/// Errors: invalid_pointer (also for a range that wraps or leaves the user half).
Status check_user_range(const Address_space& space, uint64_t addr, uint64_t bytes, arch::Access access);
/// Copies from user memory into a kernel buffer. Errors: invalid_pointer.
Status copy_from_user(const Address_space& space, uint64_t addr, void* dst, size_t bytes);
/// Copies a kernel buffer into user memory that is user-writable. Errors: invalid_pointer.
Status copy_to_user(Address_space& space, uint64_t addr, const void* src, size_t bytes);
/// The single copy of a rendezvous: `bytes` from `src_addr` in `src` to `dst_addr` in `dst`,
/// page by page. Errors: invalid_pointer (nothing is guaranteed about the part copied).
Status copy_between(Address_space& dst, uint64_t dst_addr, const Address_space& src,
                    uint64_t src_addr, uint64_t bytes);

} // namespace kernel
