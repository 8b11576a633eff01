// Host coroutines behind Thread_context: ucontext switching on host stacks.
#include <arch/context.hpp>
#include <arch/memory.hpp>
#include <arch/page_table.hpp>

#include <string.h>
#include <ucontext.h>

#include <memory>

namespace arch {

struct Host_coroutine {
    enum class State { fresh, live };
    State state = State::live;
    void (*kernel_entry)() = nullptr;
    std::unique_ptr<char[]> stack;
    ucontext_t registers;
};

namespace {

constexpr size_t host_stack_bytes = 256 * 1024;
constexpr uint64_t kernel_root = 0x1000; // below host::arena_reserved: no task's root

Thread_context* running;  // the context executing now (nullptr: the test's own)
Thread_context* starting; // the context whose trampoline is about to run

/// Whether the code running now is on `c`'s own host stack. The test's own context has
/// none: it may play the idle context and be re-initialised or destroyed while it runs.
bool on_own_stack(const Thread_context& c) {
    return &c == running && c.host_coroutine && c.host_coroutine->stack;
}

[[noreturn]] void trampoline() {
    Thread_context& self = *starting;
    if (self.host_coroutine->kernel_entry)
        self.host_coroutine->kernel_entry();
    else if (self.host_body)
        self.host_body();
    else
        host::fatal("a thread without a host_body was scheduled");
    host::fatal("a thread body returned; it must end its task instead");
}

/// Makes `c` a context that starts in `entry` (or host_body) when next switched to.
void reset(Thread_context& c, void (*entry)()) {
    if (on_own_stack(c)) host::fatal("re-initialising the running context");
    if (!c.host_coroutine) c.host_coroutine = new Host_coroutine;
    c.host_coroutine->state = Host_coroutine::State::fresh;
    c.host_coroutine->kernel_entry = entry;
}

/// The coroutine to resume in `c`, started on its own host stack if it is new.
Host_coroutine& resumable(Thread_context& c) {
    Host_coroutine* k = c.host_coroutine;
    if (!k) host::fatal("switch to a context that was never initialised");
    if (k->state == Host_coroutine::State::fresh) {
        if (!k->stack) k->stack.reset(new char[host_stack_bytes]);
        getcontext(&k->registers);
        k->registers.uc_stack.ss_sp = k->stack.get();
        k->registers.uc_stack.ss_size = host_stack_bytes;
        k->registers.uc_link = nullptr;
        makecontext(&k->registers, trampoline, 0);
        k->state = Host_coroutine::State::live;
        starting = &c;
    }
    return *k;
}

} // namespace

Thread_context::~Thread_context() {
    if (on_own_stack(*this)) host::fatal("destroying the running context");
    delete host_coroutine;
}

void Thread_context::init(uint64_t stack_top, uint64_t entry, uint64_t user_rsp) {
    kernel_stack_top = stack_top;
    User_frame& f = frame();
    memset(&f, 0, sizeof f);
    f.rip = entry;
    f.cs = 0x23;
    f.rflags = 0x202;
    f.rsp = user_rsp;
    f.ss = 0x1b;
    reset(*this, nullptr);
}

void Thread_context::init_kernel(uint64_t stack_top, void (*entry)()) {
    kernel_stack_top = stack_top;
    reset(*this, entry);
}

uint64_t kernel_space_root() { return kernel_root; }

void switch_context(Thread_context& from, Thread_context& to, uint64_t root) {
    if (!from.host_coroutine) from.host_coroutine = new Host_coroutine; // the test's context
    Host_coroutine& target = resumable(to);
    host::load_root(root);
    running = &to;
    swapcontext(&from.host_coroutine->registers, &target.registers);
    // Whoever switched back to `from` has set `running` to it.
}

void start_first(Thread_context& to, uint64_t root) {
    Host_coroutine& target = resumable(to);
    host::load_root(root);
    running = &to;
    setcontext(&target.registers);
    host::fatal("setcontext failed");
}

} // namespace arch
