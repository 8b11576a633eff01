// Ending the run through QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4).
#include <arch/cpu.hpp>
#include <arch/platform.hpp>

namespace arch {

void end_run(ipclab::Run_status status) {
    outl(0xf4, static_cast<uint32_t>(status));
    halt_forever(); // only reached without the device: stop the CPU
}

} // namespace arch
