/* Statistics and JSON output shared by the workloads (plain C, header-only, so an MPI
 * workload still builds with any mpicc). Samples are per-repetition costs in rdtsc ticks,
 * which under qemu -icount shift=0 are guest instructions. */
#ifndef IPCLAB_BENCH_STATS_H
#define IPCLAB_BENCH_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    uint64_t min, max, median, p10, p90;
    double mean, stddev;
} bench_stats;

static inline uint64_t bench_rdtsc(void) { return __builtin_ia32_rdtsc(); }

/* Square root by Newton's method: keeps the header free of libm, which some mpicc setups
 * do not link by default. */
static inline double bench_sqrt(double x) {
    if (x <= 0) return 0;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 64; ++i) r = 0.5 * (r + x / r);
    return r;
}

static int bench_compare_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

/* Sorts samples[0..n) in place and summarises them (n > 0). The median of an even count is
 * the lower middle sample, so every figure is a measured value. */
static inline bench_stats bench_summarise(uint64_t* samples, size_t n) {
    bench_stats s;
    qsort(samples, n, sizeof *samples, bench_compare_u64);
    s.min = samples[0];
    s.max = samples[n - 1];
    s.median = samples[(n - 1) / 2];
    s.p10 = samples[(n - 1) / 10];
    s.p90 = samples[(n - 1) * 9 / 10];
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; ++i) sum += (double)samples[i];
    s.mean = sum / (double)n;
    for (size_t i = 0; i < n; ++i) sq += ((double)samples[i] - s.mean) * ((double)samples[i] - s.mean);
    s.stddev = n > 1 ? bench_sqrt(sq / (double)(n - 1)) : 0.0;
    return s;
}

static inline const char* bench_env(const char* name, const char* fallback) {
    const char* v = getenv(name);
    return v && *v ? v : fallback;
}

/* One result line: {"type":"result",...}. `layer` and `transport` say what was measured;
 * the context (policy, commit, unit) comes from the environment the harness sets. */
static inline void bench_print_result(const char* experiment, const char* layer, const char* transport,
                                      size_t bytes, size_t iterations, size_t warmup, const bench_stats* s,
                                      int verified) {
    printf("{\"type\":\"result\",\"experiment\":\"%s\",\"layer\":\"%s\",\"transport\":\"%s\","
           "\"policy\":\"%s\",\"commit\":\"%s\",\"unit\":\"%s\",\"bytes\":%zu,\"iterations\":%zu,"
           "\"warmup\":%zu,\"min\":%llu,\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,"
           "\"mean\":%.1f,\"stddev\":%.1f,\"verified\":%s}\n",
           experiment, layer, transport, bench_env("IPCLAB_POLICY", "none"), bench_env("IPCLAB_COMMIT", "unknown"),
           bench_env("IPCLAB_UNIT", "tsc_ticks"), bytes, iterations, warmup, (unsigned long long)s->min,
           (unsigned long long)s->p10, (unsigned long long)s->median, (unsigned long long)s->p90,
           (unsigned long long)s->max, s->mean, s->stddev, verified ? "true" : "false");
    fflush(stdout);
}

/* The payload of repetition `rep`: every byte depends on the repetition and its position,
 * so a stale or misplaced byte is caught. */
static inline unsigned char bench_pattern(size_t rep, size_t i) {
    return (unsigned char)((rep * 131u + i * 7u + 1u) ^ (i >> 8));
}

/* The alignment of the workloads' message buffers: a page, as the OSU micro-benchmarks align
 * theirs, so a buffer's placement never depends on what else a run allocates. */
#define BENCH_PAGE_BYTES 4096

/* Parses "0,8,64" into sizes[]; returns how many, or -1 on a malformed list. */
static inline int bench_parse_sizes(const char* text, size_t* sizes, int max) {
    int n = 0;
    while (*text) {
        char* end;
        long v = strtol(text, &end, 10);
        if (end == text || v < 0 || n == max) return -1;
        sizes[n++] = (size_t)v;
        if (*end == ',') ++end;
        else if (*end) return -1;
        text = end;
    }
    return n;
}

#endif /* IPCLAB_BENCH_STATS_H */
