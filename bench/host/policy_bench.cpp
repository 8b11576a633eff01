// What each policy's decision costs on the host (Google Benchmark, wall-clock ns): the
// kernel's policy files and registry (kernel/policy/) compiled for the host as the unit tests
// compile them (ipclab_host_kernel), each decision called as the kernel calls it: through
// policy() after select_policy(NAME), a virtual call. For every policy of policies.def:
// comm_send (rank 0 to 1 of a four-rank communicator whose rights table denies 3 -> 0),
// comm_nonblocking_send (an 8-byte eager send, nothing buffered yet) and ipc_send_tid (thread
// to thread across tasks; for clans-chiefs across clans, the redirected path; for ref-monitor
// a partner the monitor granted already, the cached path). Named policy/DECISION/POLICY;
// policy/overhead/loop is the benchmark loop alone.
#include <benchmark/benchmark.h>

#include <stdio.h>
#include <stdlib.h>

#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"
#include "task/task.hpp"
#include "task/thread.hpp"

namespace {

using kernel::Status;

/// Four tasks of one thread each, ranks 0..3 of a communicator: made once, never freed.
struct World {
    kernel::Communicator* comm = nullptr;
    kernel::Task* task[4] = {};
    kernel::Thread* thread[4] = {};
};

[[noreturn]] void cannot_create(const char* what) {
    fprintf(stderr, "ipclab_bench_policy: cannot create %s\n", what);
    exit(1);
}

template <typename T> T* made(T* object, const char* what) {
    if (!object) cannot_create(what);
    return object;
}

World& world() {
    static World w = [] {
        World w;
        Status s;
        w.comm =
            made(kernel::Communicator::create(4, kernel::kernel_account(), s), "the communicator");
        for (int r = 0; r < 4; ++r) {
            w.task[r] =
                made(kernel::Task::create(("rank" + std::to_string(r)).c_str(), s), "a task");
            w.thread[r] =
                made(kernel::Thread::create(*w.task[r], 0x401000, kernel::Layout::stack_top,
                                            kernel::Thread::default_priority, s),
                     "a thread");
            w.comm->set_member(r, *w.task[r]);
        }
        if (w.comm->set_right(3, 0, false) != Status::ok) cannot_create("the rights table");
        w.task[0]->chief = w.thread[2]->id(); // clans-chiefs: 0 and 1 in different clans
        w.task[1]->chief = w.thread[3]->id();
        w.task[0]->monitor = w.thread[3]->id(); // ref-monitor: 0 -> 1 granted before
        w.task[0]->record_ipc_right(w.thread[1]->id(), true);
        return w;
    }();
    return w;
}

void comm_send(benchmark::State& state, const char* policy) {
    World& w = world();
    (void)kernel::select_policy(policy);
    for (auto _ : state)
        benchmark::DoNotOptimize(kernel::policy().comm_send(*w.comm, 0, 1));
}

void comm_nonblocking_send(benchmark::State& state, const char* policy) {
    World& w = world();
    (void)kernel::select_policy(policy);
    const kernel::Buffer_request request{*w.task[0], *w.comm, 0, 1, 8, 8 + sizeof(kernel::Comm_op)};
    for (auto _ : state)
        benchmark::DoNotOptimize(kernel::policy().comm_nonblocking_send(request));
}

void ipc_send_tid(benchmark::State& state, const char* policy) {
    World& w = world();
    (void)kernel::select_policy(policy);
    const kernel::Ipc_request request{*w.thread[0], *w.thread[1], false};
    for (auto _ : state)
        benchmark::DoNotOptimize(kernel::policy().ipc_send_tid(request));
}

/// The benchmark loop alone, storing a Status as the decisions' loops do: what every figure
/// above includes besides the decision (not subtracted).
void loop_overhead(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(Status::ok);
}

void register_policy(const char* name) {
    using Decision = void (*)(benchmark::State&, const char*);
    const std::pair<const char*, Decision> decisions[] = {
        {"comm_send", comm_send},
        {"comm_nonblocking_send", comm_nonblocking_send},
        {"ipc_send_tid", ipc_send_tid}};
    for (auto [decision, run] : decisions)
        benchmark::RegisterBenchmark((std::string("policy/") + decision + "/" + name).c_str(), run,
                                     name)
            ->UseRealTime()
            ->Unit(benchmark::kNanosecond);
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
#define IPCLAB_POLICY(id, name, description) register_policy(name);
#include "policy/policies.def"
#undef IPCLAB_POLICY
    benchmark::RegisterBenchmark("policy/overhead/loop", loop_overhead)
        ->UseRealTime()
        ->Unit(benchmark::kNanosecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
