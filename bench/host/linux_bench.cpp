// Host round trips through Linux IPC (Google Benchmark, wall-clock ns): for each transport of
// transports.hpp and size, a client sends a message to an echo server in a child process and
// waits for the echo; and the bare system call (getppid). Named LAYER/TRANSPORT/BYTES, which
// scripts/ipclab_cli/host_bench.py reads; run with --benchmark_repetitions for spreads.
// Everything runs pinned to one CPU, client and server alike, as both share the guest's one
// vCPU in the Linux baseline (docs/baselines.md): a blocking hand-off between two CPUs would
// add the wake-up of an idle CPU, which in a virtual machine varies from run to run by
// several microseconds (measured here: a futex round trip 2.8 or 9.4 us by placement).
#include <benchmark/benchmark.h>

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transports.hpp"

namespace host_bench {
namespace {

/// The sizes of the ipclab ping-pong's default list that every transport is asked for.
constexpr int64_t sizes[] = {0, 8, 64, 512, 4096, 65536};

/// A page-aligned buffer, as the ping-pong workloads place theirs (bench_stats.h).
struct Page_buffer {
    explicit Page_buffer(size_t n)
        : data(static_cast<unsigned char*>(aligned_alloc(4096, (n / 4096 + 1) * 4096))) {}
    ~Page_buffer() { free(data); }
    unsigned char* data;
};

/// Echoes messages of `n` bytes on side 1 until killed.
[[noreturn]] void echo(Channel& c, size_t n) {
    Page_buffer buf(n);
    while (c.recv(1, buf.data, n) && c.send(1, buf.data, n)) {
    }
    _exit(1);
}

/// One round trip per iteration: a new channel and a new child each time Google Benchmark calls
/// this (outside the timed loop), so no size depends on what ran before it, as in the guest.
void round_trip(benchmark::State& state, Transport t) {
    const size_t n = size_t(state.range(0));
    std::string why;
    std::unique_ptr<Channel> c = open_channel(t, n, why);
    if (!c) return state.SkipWithError(why.c_str());
    Page_buffer out(n), in(n);
    for (size_t i = 0; i < n; ++i)
        out.data[i] = (unsigned char)(i * 7 + 1);
    const pid_t child = fork();
    if (child < 0) return state.SkipWithError("fork failed");
    if (child == 0) echo(*c, n);
    bool ok = true;
    for (auto _ : state) {
        if (!c->send(0, out.data, n) || !c->recv(0, in.data, n)) {
            ok = false;
            state.SkipWithError("a send or receive failed");
            break;
        }
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    if (ok && memcmp(in.data, out.data, n) != 0)
        state.SkipWithError("the echo differs from the message");
}

/// The bare system call: getppid, which glibc does not cache, through syscall().
void bare_syscall(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(syscall(SYS_getppid));
}

void register_all() {
    for (Transport t : {Transport::pipe, Transport::unix_socket, Transport::sysv_mq,
                        Transport::posix_mq, Transport::futex}) {
        auto* b =
            benchmark::RegisterBenchmark((std::string("linux/") + name(t)).c_str(), round_trip, t);
        for (int64_t n : sizes)
            b->Arg(n);
        b->UseRealTime()->Unit(benchmark::kNanosecond);
    }
    benchmark::RegisterBenchmark("linux/getppid", bare_syscall)
        ->Arg(0)
        ->UseRealTime()
        ->Unit(benchmark::kNanosecond);
}

/// Pins this process (and so every child it forks) to the first CPU it may run on.
int pin_to_one_cpu() {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &allowed)) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            return sched_setaffinity(0, sizeof one, &one) == 0 ? cpu : -1;
        }
    return -1;
}

} // namespace
} // namespace host_bench

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    const int cpu = host_bench::pin_to_one_cpu();
    benchmark::AddCustomContext("linux_cpu", cpu < 0 ? "not pinned" : std::to_string(cpu));
    host_bench::register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
