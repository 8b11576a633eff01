// Applies a parsed run description: creates its objects and tasks and hands out the
// capabilities it lists. The one place authority is granted.
#pragma once

#include "boot/boot_info.hpp"
#include "boot/manifest.hpp"

namespace kernel {

/// Creates everything `manifest` describes from the boot modules in `info` and makes the
/// tasks ready. On failure reports {"event":"boot_error",...} and returns false.
bool compose(const Boot_info& info, const Manifest& manifest);

} // namespace kernel
