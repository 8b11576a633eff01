/* What the bulk-transfer workloads share (plain C, header-only, so the MPI program still
 * builds with any mpicc): the payload every transfer carries and checks, the sizes and
 * repetitions, and the result line.
 *
 * A payload is 64-bit words; word i of the transfer with seed s is s * BULK_SEED_MIX +
 * i * BULK_INDEX_MIX. The producer writes it (into its own buffer, or in place in a shared
 * ring) and the consumer checks every word, both inside the measured time: a stale word (an
 * earlier transfer's seed) or a misplaced one (another index) is caught. Both loops move 16
 * bytes per SSE instruction, so writing and checking cost about what an optimised producer
 * and a consumer that checksums its data would, and a copy is not lost beside them. */
#ifndef IPCLAB_BULK_COMMON_H
#define IPCLAB_BULK_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_stats.h"

#define BULK_SEED_MIX 0x9e3779b97f4a7c15ull
#define BULK_INDEX_MIX 0x0000010000000193ull
#define BULK_MAX_SIZES 16
/* The largest transfer the programs accept: 1 MiB is the experiment's largest size. */
#define BULK_MAX_BYTES (4u << 20)

/* Two payload words in an SSE register (GCC vector extension, C and C++ alike); may_alias
 * and aligned(8) let it read and write any 8-byte-aligned uint64_t array. */
typedef uint64_t bulk_words2 __attribute__((vector_size(16), aligned(8), may_alias));

/* bulk_fill and bulk_check are never inlined: every transport of a program then runs the very
 * same instructions to write and to check, and the reference rows measure exactly those
 * (inlined, their loops' code would differ from caller to caller by an instruction or two per
 * iteration, which at 16 bytes per iteration is a sizeable part of a copy's cost). */
#define BULK_OUT_OF_LINE static __attribute__((noinline, unused))

/* Writes words [first, first + n) of the payload with seed `seed` to out[0..n). Four words
 * per iteration in two SSE registers, as an optimised producer would write. */
BULK_OUT_OF_LINE void bulk_fill(uint64_t* out, size_t first, size_t n, uint64_t seed) {
    const uint64_t base = seed * BULK_SEED_MIX + first * BULK_INDEX_MIX;
    const bulk_words2 step = {4 * BULK_INDEX_MIX, 4 * BULK_INDEX_MIX};
    bulk_words2 a = {base, base + BULK_INDEX_MIX},
                b = {base + 2 * BULK_INDEX_MIX, base + 3 * BULK_INDEX_MIX};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        *(bulk_words2*)(out + i) = a;
        *(bulk_words2*)(out + i + 2) = b;
        a += step;
        b += step;
    }
    for (; i < n; ++i)
        out[i] = base + i * BULK_INDEX_MIX;
}

/* 1 when in[0..n) holds words [first, first + n) of the payload with seed `seed`, else 0.
 * Reads every word (no early exit), as a checksum would, four words per iteration. */
BULK_OUT_OF_LINE int bulk_check(const uint64_t* in, size_t first, size_t n, uint64_t seed) {
    const uint64_t base = seed * BULK_SEED_MIX + first * BULK_INDEX_MIX;
    const bulk_words2 step = {4 * BULK_INDEX_MIX, 4 * BULK_INDEX_MIX};
    bulk_words2 a = {base, base + BULK_INDEX_MIX},
                b = {base + 2 * BULK_INDEX_MIX, base + 3 * BULK_INDEX_MIX};
    bulk_words2 da = {0, 0}, db = {0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        da |= *(const bulk_words2*)(in + i) ^ a;
        db |= *(const bulk_words2*)(in + i + 2) ^ b;
        a += step;
        b += step;
    }
    uint64_t diff = da[0] | da[1] | db[0] | db[1];
    for (; i < n; ++i)
        diff |= in[i] ^ (base + i * BULK_INDEX_MIX);
    return diff == 0;
}

/* The options both programs take. */
typedef struct {
    size_t sizes[BULK_MAX_SIZES];
    int nsizes;
    long reps, warmup;
    const char* transports; /* comma-separated transport names, or NULL for the program's default */
} bulk_options;

/* Parses --sizes LIST, --reps N, --warmup N, --transports LIST from argv[first..argc);
 * `extra` (may be NULL) is asked first about every option and returns how many arguments it
 * took (0: not its option). Returns 0, or prints why and returns -1. Sizes must be positive
 * multiples of 8 bytes of at most BULK_MAX_BYTES. */
static inline int bulk_parse(int argc, char** argv, int first, const char* program, bulk_options* o,
                             int (*extra)(int argc, char** argv, int i)) {
    static const size_t defaults[] = {4096, 16384, 65536, 262144, 1048576};
    memcpy(o->sizes, defaults, sizeof defaults);
    o->nsizes = 5;
    o->reps = 50;
    o->warmup = 5;
    o->transports = NULL;
    for (int i = first; i < argc; ++i) {
        int took = extra ? extra(argc, argv, i) : 0;
        if (took < 0) return -1;
        if (took > 0) {
            i += took - 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--sizes")) {
            o->nsizes = bench_parse_sizes(argv[++i], o->sizes, BULK_MAX_SIZES);
            if (o->nsizes <= 0)
                return fprintf(stderr, "%s: bad --sizes '%s'\n", program, argv[i]), -1;
            for (int s = 0; s < o->nsizes; ++s)
                if (o->sizes[s] == 0 || o->sizes[s] % 8 || o->sizes[s] > BULK_MAX_BYTES)
                    return fprintf(stderr, "%s: sizes must be multiples of 8 bytes, 8 .. %u\n",
                                   program, BULK_MAX_BYTES),
                           -1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--reps")) {
            o->reps = strtol(argv[++i], NULL, 10);
            if (o->reps <= 0) return fprintf(stderr, "%s: --reps must be positive\n", program), -1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--warmup")) {
            o->warmup = strtol(argv[++i], NULL, 10);
            if (o->warmup < 0) return fprintf(stderr, "%s: --warmup must be >= 0\n", program), -1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--transports")) {
            o->transports = argv[++i];
        } else {
            return fprintf(stderr, "%s: unknown argument '%s'\n", program, argv[i]), -1;
        }
    }
    return 0;
}

/* Whether `name` is in the comma-separated `list` (every name when `list` is NULL). */
static inline int bulk_wanted(const char* list, const char* name) {
    if (!list) return 1;
    size_t n = strlen(name);
    for (const char* p = list; *p;) {
        const char* end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

/* The largest of the sizes. */
static inline size_t bulk_largest(const bulk_options* o) {
    size_t largest = 0;
    for (int s = 0; s < o->nsizes; ++s)
        if (o->sizes[s] > largest) largest = o->sizes[s];
    return largest;
}

/* One result line: the fields of bench_print_result, then `per_byte` (the median over the
 * bytes: guest instructions per byte), `messages` (messages, or ring slots, per transfer),
 * `touch` (whether producer and consumer wrote and checked the payload) and, when
 * `buffered` >= 0, `kernel_buffered_bytes` (kernel memory buffering the sender's messages just
 * after its send call returned; bulk_mpi.c). */
static inline void bulk_print_result(const char* layer, const char* transport, size_t bytes,
                                     size_t iterations, size_t warmup, const bench_stats* s,
                                     int verified, size_t messages, int touch, long long buffered) {
    char extra[48] = "";
    if (buffered >= 0) snprintf(extra, sizeof extra, ",\"kernel_buffered_bytes\":%lld", buffered);
    printf("{\"type\":\"result\",\"experiment\":\"bulk\",\"layer\":\"%s\",\"transport\":\"%s\","
           "\"policy\":\"%s\",\"commit\":\"%s\",\"unit\":\"%s\",\"bytes\":%zu,\"iterations\":%zu,"
           "\"warmup\":%zu,\"min\":%llu,\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,"
           "\"mean\":%.1f,\"stddev\":%.1f,\"verified\":%s,\"per_byte\":%.5f,\"messages\":%zu,"
           "\"touch\":%s%s}\n",
           layer, transport, bench_env("IPCLAB_POLICY", "none"),
           bench_env("IPCLAB_COMMIT", "unknown"), bench_env("IPCLAB_UNIT", "tsc_ticks"), bytes,
           iterations, warmup, (unsigned long long)s->min, (unsigned long long)s->p10,
           (unsigned long long)s->median, (unsigned long long)s->p90, (unsigned long long)s->max,
           s->mean, s->stddev, verified ? "true" : "false", (double)s->median / (double)bytes,
           messages, touch ? "true" : "false", extra);
    fflush(stdout);
}

#endif /* IPCLAB_BULK_COMMON_H */
