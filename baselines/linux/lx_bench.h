/* The Linux baseline's shared part: the interface every IPC transport implements for the
 * ping-pong driver, whole-buffer read/write, and the JSON result line. Plain C, linked
 * statically against glibc; runs in the Linux guest (docs/baselines.md) or on any Linux. */
#ifndef IPCLAB_LX_BENCH_H
#define IPCLAB_LX_BENCH_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "../../experiments/common/bench_stats.h"

/* A channel between the client (side 0) and the server (side 1), opened before fork(). */
typedef struct lx_channel lx_channel;
enum { LX_CLIENT = 0, LX_SERVER = 1 };

typedef struct {
    const char* name; /* the rows' "transport" */
    size_t min_bytes; /* smallest message it carries (a stream cannot carry 0 bytes) */
    /* Largest message the running kernel accepts (its limits in /proc), or 0 for no limit. */
    size_t (*max_bytes)(void);
    /* Opens a channel for messages of up to `largest` bytes; 0 or -1 with errno set. */
    int (*open)(lx_channel** out, size_t largest);
    /* After fork(): each side drops what only the other uses. */
    void (*attach)(lx_channel* c, int side);
    /* One message of exactly n bytes from `side` to the other; 0 or -1 with errno set. recv's
     * buffer holds `largest` bytes (a POSIX message queue receives only into a whole message). */
    int (*send)(lx_channel* c, int side, const void* buf, size_t n);
    int (*recv)(lx_channel* c, int side, void* buf, size_t n);
    void (*close)(lx_channel* c, int side); /* the client's close also removes the kernel object */
} lx_transport;

extern const lx_transport lx_pipe, lx_unix_socket, lx_sysv_mq, lx_posix_mq, lx_futex;

static inline int lx_write_all(int fd, const void* buf, size_t n) {
    for (const char* p = buf; n > 0;) {
        ssize_t done = write(fd, p, n);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return -1;
        p += done, n -= (size_t)done;
    }
    return 0;
}

static inline int lx_read_all(int fd, void* buf, size_t n) {
    for (char* p = buf; n > 0;) {
        ssize_t done = read(fd, p, n);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return done == 0 ? (errno = EPIPE, -1) : -1;
        p += done, n -= (size_t)done;
    }
    return 0;
}

/* A number from a /proc file (a kernel limit), or 0 when it cannot be read. */
static inline size_t lx_proc_number(const char* path) {
    FILE* f = fopen(path, "r");
    unsigned long long v = 0;
    if (f) {
        if (fscanf(f, "%llu", &v) != 1) v = 0;
        fclose(f);
    }
    return (size_t)v;
}

/* One result row (bench_stats.h's fields, experiment "baseline", layer "linux") plus
 * `overhead`, guest instructions already subtracted from every sample (the rdtsc pair's), and
 * `extra`, more fields as JSON text (",\"name\":value") or "". */
static inline void lx_print_result(const char* transport, size_t bytes, size_t iterations,
                                   size_t warmup, const bench_stats* s, int verified,
                                   uint64_t overhead, const char* extra) {
    printf(
        "{\"type\":\"result\",\"experiment\":\"baseline\",\"layer\":\"linux\",\"transport\":\"%s\","
        "\"commit\":\"%s\",\"unit\":\"%s\",\"bytes\":%zu,\"iterations\":%zu,\"warmup\":%zu,"
        "\"overhead\":%llu,\"min\":%llu,\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,"
        "\"mean\":%.1f,\"stddev\":%.1f,\"verified\":%s%s}\n",
        transport, bench_env("IPCLAB_COMMIT", "unknown"), bench_env("IPCLAB_UNIT", "tsc_ticks"),
        bytes, iterations, warmup, (unsigned long long)overhead, (unsigned long long)s->min,
        (unsigned long long)s->p10, (unsigned long long)s->median, (unsigned long long)s->p90,
        (unsigned long long)s->max, s->mean, s->stddev, verified ? "true" : "false", extra);
    fflush(stdout);
}

/* A size the transport cannot carry: {"type":"skipped",...} with the reason. */
static inline void lx_print_skipped(const char* transport, size_t bytes, const char* reason) {
    printf("{\"type\":\"skipped\",\"experiment\":\"baseline\",\"layer\":\"linux\",\"transport\":\"%"
           "s\","
           "\"bytes\":%zu,\"reason\":\"%s\"}\n",
           transport, bytes, reason);
    fflush(stdout);
}

/* --sizes LIST --reps N --warmup N (the ping-pong's options, docs/experiments.md) and one
 * more, `--NAME VALUE` into *other when NAME is `other_name`; returns 0 or -1. */
typedef struct {
    size_t sizes[32];
    int nsizes;
    long reps, warmup;
    const char* other;
} lx_args;

static inline int lx_parse(int argc, char** argv, const char* other_name, lx_args* a) {
    for (int i = 1; i < argc; ++i) {
        const char* opt = argv[i];
        if (i + 1 >= argc) return fprintf(stderr, "%s: '%s' needs a value\n", argv[0], opt), -1;
        const char* v = argv[++i];
        if (!strcmp(opt, "--sizes"))
            a->nsizes = bench_parse_sizes(v, a->sizes, 32);
        else if (!strcmp(opt, "--reps"))
            a->reps = strtol(v, NULL, 10);
        else if (!strcmp(opt, "--warmup"))
            a->warmup = strtol(v, NULL, 10);
        else if (other_name && !strncmp(opt, "--", 2) && !strcmp(opt + 2, other_name))
            a->other = v;
        else
            return fprintf(stderr, "%s: unknown option '%s'\n", argv[0], opt), -1;
    }
    if (a->nsizes <= 0 || a->reps <= 0 || a->warmup < 0)
        return fprintf(stderr, "%s: bad --sizes, --reps or --warmup\n", argv[0]), -1;
    return 0;
}

#endif /* IPCLAB_LX_BENCH_H */
