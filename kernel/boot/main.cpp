// The portable half of booting: memory, the run description, composition, first switch.
#include <arch/memory.hpp>
#include <arch/platform.hpp>
#include <string.h>

#include "boot/boot_info.hpp"
#include "boot/compose.hpp"
#include "boot/manifest.hpp"
#include "ipc/fastpath.hpp"
#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "mem/frame_allocator.hpp"
#include "mem/kmem.hpp"
#include "policy/policy.hpp"
#include "task/run.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"

namespace kernel {

namespace {

Frame_allocator frame_allocator;
Manifest manifest;

[[noreturn]] void fail_boot(const char* message, unsigned line = 0, const char* detail = nullptr) {
    {
        Json_line j("boot_error"); // printed when it goes out of scope
        j.field("message", message);
        if (line) j.field("line", line);
        if (detail) j.field("detail", detail);
    }
    run::end(ipclab::Run_status::boot_error);
}

} // namespace

Frame_allocator& frames() { return frame_allocator; }

void boot(Boot_info& info) {
    uint64_t ram = 0;
    for (unsigned i = 0; i < info.free_count; ++i) {
        frame_allocator.add_free_range(info.free_base[i], info.free_bytes[i]);
        ram += info.free_bytes[i];
    }
    frame_allocator.reserve_range(0, info.reserved_end);
    Json_line("boot")
        .field("kernel", "ipclab")
        .field("cmdline", info.cmdline)
        .field("memory_bytes", ram)
        .field("free_frames", frame_allocator.free_frames())
        .field("modules", info.module_count);

    if (info.module_count == 0) fail_boot("no boot modules: the run description must be module 0");
    const Boot_module& description = info.modules[0];
    Manifest_error error;
    if (!parse_manifest(static_cast<const char*>(arch::phys_to_virt(description.phys_start)),
                        description.phys_end - description.phys_start, info.module_count, manifest, error))
        fail_boot("bad run description", error.line, error.message);
    if (!select_policy(manifest.policy))
        fail_boot("unknown policy (kernel/policy/policies.def lists them)", 0, manifest.policy);
    if (manifest.selftest_panic) PANIC("selftest: panic requested by the run description");
    // Fault injection counts blocks where the slow path blocks (docs/fault-injection.md).
    ipc_fastpath_enabled = !manifest.fastpath_off && manifest.kill_count == 0;

    frame_allocator.set_reclaimer(&kmem::release_empty_slabs);
    const uint64_t object_bytes_before = kmem::bytes_in_use();
    const uint64_t free_before = frame_allocator.free_frames();
    if (!compose(info, manifest)) run::end(ipclab::Run_status::boot_error);
    // Boot modules were copied into the tasks: their memory is free again.
    const uint64_t free_composed = frame_allocator.free_frames();
    frame_allocator.add_free_range(info.kernel_end, info.reserved_end - info.kernel_end);
    run::memory_at_start(object_bytes_before, free_before + (frame_allocator.free_frames() - free_composed));
    Json_line("run_start").field("policy", manifest.policy).field("tasks", manifest.task_count);
    timeouts().start();
    scheduler().start();
}

void panic(const char* message, const char* file, int line) {
    Json_line("panic").field("message", message).field("file", file).field("line", line);
    arch::end_run(ipclab::Run_status::panic);
}

} // namespace kernel
