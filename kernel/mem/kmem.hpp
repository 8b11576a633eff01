// Kernel-object memory: size-class slabs carved from frames, every byte charged to an
// Account so an experiment can see who spends kernel memory.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mem/account.hpp"

namespace kernel::kmem {

/// Allocates `bytes` of zeroed kernel memory charged to `account`, 16-byte aligned (page
/// aligned from 4 KiB up). Returns nullptr when memory or the account's quota is exhausted:
/// the caller turns that into Status::out_of_memory for whoever asked.
void* allocate(size_t bytes, Account& account);
/// Returns memory from allocate() with the same size and account.
void free(void* p, size_t bytes, Account& account);
/// Bytes of kernel-object memory in use (rounded to the size classes), for leak checks.
uint64_t bytes_in_use();
/// Returns every slab page none of whose objects is in use to the frame pool; the number
/// of pages returned. O(free objects). The frame allocator calls it when frames run short
/// (boot/main.cpp sets it as the reclaimer) and the run's end calls it before its report.
uint64_t release_empty_slabs();

} // namespace kernel::kmem
