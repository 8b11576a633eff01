// The benchmark server loop (bench/ipc/server.cpp).
#pragma once

#include <stdint.h>

#include "protocol.hpp"

namespace bench {

/// Serves forever on slot_endpoint. `results` is where to write the time stamps, or nullptr
/// when `map_results`: the client's setup call then maps them at results_window.
[[noreturn]] void serve(Results* results, bool map_results);
/// thread_create entry: serve() in the client's own address space.
[[noreturn]] void serve_thread(uint64_t results);

} // namespace bench
