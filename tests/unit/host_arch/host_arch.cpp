// Host stand-ins for physical memory, the console and the end of a run.
#include <arch/clock.hpp>
#include <arch/console.hpp>
#include <arch/memory.hpp>
#include <arch/platform.hpp>

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

namespace arch {

namespace host {

char* arena() {
    static char* base = [] {
        void* p = mmap(nullptr, arena_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) fatal("cannot allocate the physical-memory arena");
        return static_cast<char*>(p);
    }();
    return base;
}

void fatal(const char* message) {
    fprintf(stderr, "host_arch: %s\n", message);
    fflush(stderr);
    abort();
}

std::string& console_output() {
    static std::string output;
    return output;
}

} // namespace host

namespace {
uint64_t virtual_now, virtual_deadline;
} // namespace

uint64_t now() { return virtual_now; }
void timer_arm(uint64_t deadline) { virtual_deadline = deadline; }
void host::set_now(uint64_t ns) { virtual_now = ns; }
uint64_t host::armed_deadline() { return virtual_deadline; }

void console_write(const char* s, size_t n) { host::console_output().append(s, n); }

void end_run(ipclab::Run_status status) {
    const std::string& out = host::console_output();
    fwrite(out.data(), 1, out.size(), stderr);
    fflush(stderr);
    _exit(host::exit_code(status));
}

void wait_for_interrupt() { host::fatal("the idle loop went on after the run ended"); }

} // namespace arch
