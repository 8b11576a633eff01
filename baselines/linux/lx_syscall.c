/* The cost of entering the Linux kernel: one bare system call (getppid, which does no work
 * and which glibc does not cache), and the sched_yield ping-pong between two processes (an
 * address-space switch there and back, no data). Timed with rdtsc like the ping-pong.
 *
 * usage: lx_syscall --what getppid|sched-yield [--reps 1000] [--warmup 100]
 * Prints one JSON result line (lx_bench.h), bytes 0. For getppid the cost of the rdtsc pair
 * itself (its median over as many empty samples) is subtracted and reported as "overhead",
 * as sel4bench subtracts its measurement overhead; a round trip is reported whole, as in
 * lx_pingpong. */
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lx_bench.h"

static int getppid_cost(const lx_args* a, uint64_t* samples) {
    const long total = a->warmup + a->reps;
    for (long rep = 0; rep < total; ++rep) {
        uint64_t t0 = bench_rdtsc();
        uint64_t t1 = bench_rdtsc();
        if (rep >= a->warmup) samples[rep - a->warmup] = t1 - t0;
    }
    uint64_t overhead = bench_summarise(samples, (size_t)a->reps).median;
    for (long rep = 0; rep < total; ++rep) {
        uint64_t t0 = bench_rdtsc();
        syscall(SYS_getppid);
        uint64_t t1 = bench_rdtsc();
        if (rep >= a->warmup)
            samples[rep - a->warmup] = t1 - t0 > overhead ? t1 - t0 - overhead : 0;
    }
    bench_stats st = bench_summarise(samples, (size_t)a->reps);
    lx_print_result("syscall", 0, (size_t)a->reps, (size_t)a->warmup, &st, 1, overhead, "");
    return 0;
}

/* The partner yields in a loop and counts its turns in shared memory. CFS does not always
 * switch on sched_yield (it keeps running a task the other is too far behind of): a sample
 * counts only when the partner ran exactly once in it; the others are reported as
 * "unswitched" (at most 9 * reps of them before it gives up). */
static int yield_pingpong(const lx_args* a, uint64_t* samples) {
    _Atomic unsigned long* turns =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turns == MAP_FAILED) return perror("lx_syscall: mmap"), 1;
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return perror("lx_syscall: fork"), 1;
    if (child == 0)
        for (;;) {
            atomic_fetch_add(turns, 1);
            sched_yield();
        }
    while (atomic_load(turns) == 0)
        sched_yield(); /* the partner has started */
    long taken = 0, unswitched = 0;
    while (taken < a->warmup + a->reps && unswitched < 9 * a->reps) {
        unsigned long before = atomic_load(turns);
        uint64_t t0 = bench_rdtsc();
        sched_yield();
        uint64_t t1 = bench_rdtsc();
        if (atomic_load(turns) != before + 1) {
            unswitched += taken >= a->warmup;
            continue;
        }
        if (taken >= a->warmup) samples[taken - a->warmup] = t1 - t0;
        ++taken;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    if (taken < a->warmup + a->reps)
        return fprintf(stderr, "lx_syscall: sched_yield rarely switches\n"), 4;
    bench_stats st = bench_summarise(samples, (size_t)a->reps);
    char extra[48];
    snprintf(extra, sizeof extra, ",\"unswitched\":%ld", unswitched);
    lx_print_result("sched-yield", 0, (size_t)a->reps, (size_t)a->warmup, &st, 1, 0, extra);
    return 0;
}

int main(int argc, char** argv) {
    lx_args a = {{0}, 1, 1000, 100, NULL};
    if (lx_parse(argc, argv, "what", &a) != 0) return 2;
    uint64_t* samples = malloc(sizeof *samples * (size_t)a.reps);
    if (!samples) return fprintf(stderr, "lx_syscall: out of memory\n"), 3;
    if (a.other && !strcmp(a.other, "getppid")) return getppid_cost(&a, samples);
    if (a.other && !strcmp(a.other, "sched-yield")) return yield_pingpong(&a, samples);
    return fprintf(stderr, "lx_syscall: --what getppid|sched-yield\n"), 2;
}
