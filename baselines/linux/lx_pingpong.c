/* Ping-pong between two Linux processes through one IPC transport: the client sends a message,
 * the server (a fork()ed child) receives it and sends the same bytes back; the client times
 * each round trip with rdtsc, exactly as experiments/pingpong times the ipclab layers.
 *
 * usage: lx_pingpong --transport pipe|unix-socket|sysv-mq|posix-mq|futex
 *                    [--sizes 0,1,2,...,65536] [--reps 1000] [--warmup 100]
 * Prints one JSON result line per size (lx_bench.h), or a "skipped" line for a size the
 * transport cannot carry; exits non-zero when a call fails or a payload comes back wrong. */
#include <signal.h>
#include <sys/wait.h>

#include "lx_bench.h"

static const lx_transport* const transports[] = {&lx_pipe, &lx_unix_socket, &lx_sysv_mq,
                                                 &lx_posix_mq, &lx_futex};

/* Why `t` cannot carry a message of `bytes`, or NULL when it can. */
static const char* unsupported(const lx_transport* t, size_t bytes) {
    static char why[96];
    if (bytes < t->min_bytes) return "a zero-length write carries no message on a stream";
    size_t limit = t->max_bytes ? t->max_bytes() : 0;
    if (!limit || bytes <= limit) return NULL;
    snprintf(why, sizeof why, "larger than the kernel's message size limit of %zu bytes", limit);
    return why;
}

/* The child: echoes `bytes`-byte messages back; checks the warm-up payloads (outside the
 * timed ones, as pingpong_mpi.c does). Exit status 0, 1 (a call failed) or 4 (a corrupt payload).
 */
static int serve(const lx_transport* t, lx_channel* c, const lx_args* a, size_t bytes,
                 unsigned char* buf) {
    t->attach(c, LX_SERVER);
    for (long rep = 0; rep < a->warmup + a->reps; ++rep) {
        if (t->recv(c, LX_SERVER, buf, bytes) != 0) return perror("lx_pingpong: server recv"), 1;
        if (rep < a->warmup)
            for (size_t i = 0; i < bytes; ++i)
                if (buf[i] != bench_pattern((size_t)rep, i)) return 4;
        if (t->send(c, LX_SERVER, buf, bytes) != 0) return perror("lx_pingpong: server send"), 1;
    }
    t->close(c, LX_SERVER);
    return 0;
}

static int measure(const lx_transport* t, lx_channel* c, const lx_args* a, size_t bytes,
                   unsigned char* out, unsigned char* in, uint64_t* samples) {
    t->attach(c, LX_CLIENT);
    int verified = 1;
    for (long rep = 0; rep < a->warmup + a->reps; ++rep) {
        for (size_t i = 0; i < bytes; ++i)
            out[i] = bench_pattern((size_t)rep, i);
        memset(in, 0, bytes);
        uint64_t t0 = bench_rdtsc();
        if (t->send(c, LX_CLIENT, out, bytes) != 0 || t->recv(c, LX_CLIENT, in, bytes) != 0)
            return perror("lx_pingpong: client"), 1;
        uint64_t t1 = bench_rdtsc();
        if (memcmp(in, out, bytes) != 0) verified = 0;
        if (rep >= a->warmup) samples[rep - a->warmup] = t1 - t0;
    }
    bench_stats st = bench_summarise(samples, (size_t)a->reps);
    lx_print_result(t->name, bytes, (size_t)a->reps, (size_t)a->warmup, &st, verified, 0, "");
    return verified ? 0 : 4;
}

/* One size, between a new pair of processes on a new channel: the scheduler's state at its
 * start (CFS's virtual runtimes, which decide whether a woken process preempts the one that
 * woke it) then depends on that size only, not on what ran before (docs/baselines.md). */
static int one_size(const lx_transport* t, const lx_args* a, size_t bytes, unsigned char* out,
                    unsigned char* in, uint64_t* samples) {
    lx_channel* c = NULL;
    if (t->open(&c, bytes ? bytes : 1) != 0) return perror("lx_pingpong: open"), 1;
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return perror("lx_pingpong: fork"), 1;
    if (child == 0) _exit(serve(t, c, a, bytes, in));
    int status = measure(t, c, a, bytes, out, in, samples);
    if (status != 0) kill(child, SIGKILL);
    int child_status = 0;
    waitpid(child, &child_status, 0);
    t->close(c, LX_CLIENT);
    if (status == 0 && !(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0)) {
        fprintf(stderr, "lx_pingpong: the %s server failed (status %d)\n", t->name, child_status);
        status = WIFEXITED(child_status) ? WEXITSTATUS(child_status) : 1;
    }
    return status;
}

int main(int argc, char** argv) {
    lx_args a = {{0}, 0, 1000, 100, NULL};
    for (size_t b = 0; b <= 65536; b = b ? b * 2 : 1)
        a.sizes[a.nsizes++] = b;
    if (lx_parse(argc, argv, "transport", &a) != 0) return 2;
    const lx_transport* t = NULL;
    for (size_t i = 0; i < sizeof transports / sizeof *transports; ++i)
        if (a.other && !strcmp(a.other, transports[i]->name)) t = transports[i];
    if (!t) {
        fprintf(stderr, "lx_pingpong: --transport pipe|unix-socket|sysv-mq|posix-mq|futex\n");
        return 2;
    }

    size_t largest = 1;
    for (int s = 0; s < a.nsizes; ++s)
        if (!unsupported(t, a.sizes[s]) && a.sizes[s] > largest) largest = a.sizes[s];
    /* Page-aligned buffers, as the ping-pong workloads place theirs (bench_stats.h). */
    void *out = NULL, *in = NULL;
    uint64_t* samples = malloc(sizeof *samples * (size_t)a.reps);
    if (posix_memalign(&out, BENCH_PAGE_BYTES, largest) ||
        posix_memalign(&in, BENCH_PAGE_BYTES, largest) || !samples)
        return fprintf(stderr, "lx_pingpong: out of memory\n"), 3;
    for (int s = 0; s < a.nsizes; ++s) {
        const char* why = unsupported(t, a.sizes[s]);
        int status = why ? (lx_print_skipped(t->name, a.sizes[s], why), 0)
                         : one_size(t, &a, a.sizes[s], out, in, samples);
        if (status != 0) return status;
    }
    return 0;
}
