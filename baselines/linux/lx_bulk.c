/* Bulk transfer between two Linux processes (issue 6, item 8; docs/baselines.md), measured as
 * experiments/bulk measures ipclab's: one-way transfers of 4 KiB .. 1 MiB, each acknowledged;
 * the producer reads rdtsc before it writes the payload (bulk_fill) and again when the
 * consumer, having checked every 64-bit word of it (bulk_check), says so. The same
 * bulk_common.h, so the same payload, fill and check code and result line; every call of them
 * is in this file, so every transport runs the same copy of them as the references. Transports
 * (--transports, in this order; rows' "transport" is the name with "-bulk" appended):
 *   local         reference: the producer writes the payload and checks it itself
 *   local-memcpy  reference: the same with one memcpy between, i.e. what one copy costs
 *   pipe          write of the whole transfer on one pipe, read whole by the consumer; its
 *                 verdict (4 bytes) comes back on a second pipe (lx_streams.c)
 *   unix-socket   the same on a socketpair(AF_UNIX, SOCK_STREAM) (lx_streams.c)
 *   shm-ring      --slots (16) slots of --slot-bytes (4096) in POSIX shared memory, written and
 *                 checked in place, futexes as notifications (lx_ring.c): the shared ring's
 *                 analogue
 * Each transport and size runs between a new pair of processes (fork), as lx_pingpong's sizes.
 *
 * usage: lx_bulk [--sizes 4096,...] [--reps N] [--warmup N] [--transports LIST]
 *                [--slots N] [--slot-bytes N]
 * Prints one JSON result line per transport and size (bulk_print_result, layer "linux");
 * exits 1 when a call fails, 4 when a payload arrived wrong. */
#include <signal.h>
#include <sys/wait.h>

#include "../../experiments/bulk/bulk_common.h"
#include "lx_bench.h"
#include "lx_ring.h"

enum { LOCAL, LOCAL_MEMCPY, PIPE, UNIX_SOCKET, SHM_RING, TRANSPORTS };
static const char* const keys[] = {"local", "local-memcpy", "pipe", "unix-socket", "shm-ring"};
static const lx_transport* const streams[] = {NULL, NULL, &lx_pipe, &lx_unix_socket, NULL};

static unsigned long option_slots = 16, option_slot_bytes = 4096;

static int ring_options(int argc, char** argv, int i) {
    if (i + 1 >= argc) return 0;
    unsigned long* target = !strcmp(argv[i], "--slots")        ? &option_slots
                            : !strcmp(argv[i], "--slot-bytes") ? &option_slot_bytes
                                                               : NULL;
    if (!target) return 0;
    *target = strtoul(argv[i + 1], NULL, 10);
    return 2;
}

/* What one run of a transport at one size needs: its channel and the buffers (page-aligned,
 * allocated before fork, so the consumer has `in` at the same place). */
typedef struct {
    int t;
    lx_channel* stream;
    lx_ring* ring;
    uint64_t *out, *copy, *in;
} bulk_run;

/* The consumer of a stream: receives `n` transfers, checks each, answers with its verdict. */
static int serve_stream(bulk_run* b, size_t bytes, uint64_t seed, long n) {
    const lx_transport* t = streams[b->t];
    t->attach(b->stream, LX_SERVER);
    for (long i = 0; i < n; ++i, ++seed) {
        if (t->recv(b->stream, LX_SERVER, b->in, bytes) != 0)
            return perror("lx_bulk: consumer recv"), 1;
        const int32_t ok = bulk_check(b->in, 0, bytes / 8, seed);
        if (t->send(b->stream, LX_SERVER, &ok, sizeof ok) != 0)
            return perror("lx_bulk: consumer send"), 1;
    }
    t->close(b->stream, LX_SERVER);
    return 0;
}

/* One transfer through the ring: the payload written slot by slot in place (no copy), then the
 * wait until the consumer has released every slot; 1 when it found every word right, 0 when
 * not, -1 when a futex call failed. */
static int ring_transfer(lx_ring* r, size_t bytes, uint64_t seed) {
    const uint32_t bad = lx_ring_bad(r);
    const uint64_t total = bytes / 8, slot_words = lx_ring_slot_bytes(r) / 8;
    for (uint64_t first = 0; first < total;) {
        const uint64_t n = total - first < slot_words ? total - first : slot_words;
        uint64_t* slot = lx_ring_reserve(r);
        if (!slot) return -1;
        bulk_fill(slot, first, n, seed);
        first += n;
        const lx_ring_slot d = {seed, first - n, n, first == total ? LX_RING_LAST : 0};
        if (lx_ring_publish(r, d) != 0) return -1;
    }
    if (lx_ring_drain(r) != 0) return -1; /* the acknowledgement: all of it checked */
    return lx_ring_bad(r) == bad;
}

/* The ring's consumer: checks every slot where it lies until the producer stops it. */
static int ring_consume(lx_ring* r) {
    for (;;) {
        lx_ring_slot d;
        const uint64_t* data = lx_ring_next(r, &d);
        if (!data) return perror("lx_bulk: consumer futex"), 1;
        const int stop = (d.flags & LX_RING_STOP) != 0;
        const int ok = stop || bulk_check(data, d.first_word, d.words, d.seed);
        if (lx_ring_release(r, ok) != 0) return perror("lx_bulk: consumer futex"), 1;
        if (stop) return 0;
    }
}

/* One transfer, as the producer sees it: 1 when the consumer found it right, 0 when not, -1
 * when a call failed. */
static int transfer(bulk_run* b, size_t bytes, uint64_t seed) {
    if (b->t == SHM_RING) return ring_transfer(b->ring, bytes, seed);
    bulk_fill(b->out, 0, bytes / 8, seed);
    if (b->t == LOCAL) return bulk_check(b->out, 0, bytes / 8, seed);
    if (b->t == LOCAL_MEMCPY) return bulk_check(memcpy(b->copy, b->out, bytes), 0, bytes / 8, seed);
    const lx_transport* t = streams[b->t];
    int32_t verdict = 0;
    if (t->send(b->stream, LX_CLIENT, b->out, bytes) != 0 ||
        t->recv(b->stream, LX_CLIENT, &verdict, sizeof verdict) != 0)
        return -1;
    return verdict == 1;
}

/* Opens the transport's channel and forks its consumer (none for the references); 0, or -1. */
static int start(bulk_run* b, size_t bytes, uint64_t seed, long n, pid_t* consumer) {
    *consumer = 0;
    if (b->t == LOCAL || b->t == LOCAL_MEMCPY) return 0;
    if (b->t == SHM_RING) {
        if (!(b->ring = lx_ring_open((unsigned)option_slots, option_slot_bytes))) return -1;
    } else if (streams[b->t]->open(&b->stream, bytes) != 0) {
        return -1;
    }
    fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) _exit(b->ring ? ring_consume(b->ring) : serve_stream(b, bytes, seed, n));
    *consumer = pid;
    if (b->stream) streams[b->t]->attach(b->stream, LX_CLIENT);
    return 0;
}

/* Lets the consumer (0: none) finish and closes the channel; `status` is the producer's so far
 * (0, 1 or 4), returned unless the consumer failed. */
static int finish(bulk_run* b, pid_t consumer, int status) {
    if (status == 0 && b->ring && lx_ring_stop(b->ring) != 0) status = 1;
    if (status == 1 && consumer > 0) kill(consumer, SIGKILL);
    int child = 0;
    if (consumer > 0) waitpid(consumer, &child, 0);
    if (b->ring) lx_ring_close(b->ring);
    if (b->stream) streams[b->t]->close(b->stream, LX_CLIENT);
    b->ring = NULL, b->stream = NULL;
    if (consumer > 0 && status == 0 && !(WIFEXITED(child) && WEXITSTATUS(child) == 0)) {
        fprintf(stderr, "lx_bulk: the %s consumer failed (status %d)\n", keys[b->t], child);
        status = 1;
    }
    return status;
}

/* Runs and reports one transport at one size; *seed advances by one per transfer. */
static int one_size(bulk_run* b, const bulk_options* o, size_t bytes, uint64_t* seed,
                    uint64_t* samples) {
    pid_t consumer;
    if (start(b, bytes, *seed, o->warmup + o->reps, &consumer) != 0)
        return perror("lx_bulk: setting up the transport"), finish(b, consumer, 1);
    int verified = 1;
    for (long rep = 0; rep < o->warmup + o->reps; ++rep, ++*seed) {
        const uint64_t t0 = bench_rdtsc();
        const int ok = transfer(b, bytes, *seed);
        const uint64_t t1 = bench_rdtsc();
        if (ok < 0) return perror("lx_bulk: producer"), finish(b, consumer, 1);
        verified &= ok;
        if (rep >= o->warmup) samples[rep - o->warmup] = t1 - t0;
    }
    const int status = finish(b, consumer, verified ? 0 : 4);
    if (status == 1) return status;
    char name[32];
    snprintf(name, sizeof name, "%s-bulk", keys[b->t]);
    const size_t messages = b->t == SHM_RING ? (bytes + option_slot_bytes - 1) / option_slot_bytes
                            : b->t >= PIPE   ? 1
                                             : 0;
    bench_stats st = bench_summarise(samples, (size_t)o->reps);
    bulk_print_result("linux", name, bytes, (size_t)o->reps, (size_t)o->warmup, &st, verified,
                      messages, 1, -1);
    if (!verified)
        fprintf(stderr, "lx_bulk: %s delivered a wrong payload at %zu bytes\n", name, bytes);
    return status;
}

int main(int argc, char** argv) {
    bulk_options o;
    if (bulk_parse(argc, argv, 1, "lx_bulk", &o, ring_options) != 0) return 2;
    if (option_slots < 1 || option_slots > LX_RING_MAX_SLOTS || option_slot_bytes < 4096 ||
        option_slot_bytes % 4096 || option_slot_bytes > BULK_MAX_BYTES)
        return fprintf(stderr, "lx_bulk: --slots 1..%d, --slot-bytes a multiple of 4096\n",
                       LX_RING_MAX_SLOTS),
               2;
    const size_t largest = bulk_largest(&o);
    void *out = NULL, *copy = NULL, *in = NULL;
    uint64_t* samples = malloc(sizeof *samples * (size_t)o.reps);
    if (posix_memalign(&out, BENCH_PAGE_BYTES, largest) ||
        posix_memalign(&copy, BENCH_PAGE_BYTES, largest) ||
        posix_memalign(&in, BENCH_PAGE_BYTES, largest) || !samples)
        return fprintf(stderr, "lx_bulk: out of memory\n"), 3;
    int failures = 0;
    uint64_t seed = 1;
    for (int t = 0; t < TRANSPORTS; ++t) {
        if (!bulk_wanted(o.transports, keys[t])) continue;
        for (int s = 0; s < o.nsizes; ++s) {
            bulk_run b = {t, NULL, NULL, out, copy, in};
            const int status = one_size(&b, &o, o.sizes[s], &seed, samples);
            if (status == 1) return 1;
            failures += status != 0;
        }
    }
    return failures ? 4 : 0;
}
