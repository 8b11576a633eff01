/* The JSON lines of the attack programs (docs/attacks.md, "What the programs print"): one
 * {"type":"attack",...} line per task when it ends its part (a printer per role, and the
 * attacker's tally behind its line), and the attacker's {"type":"attack_sample",...} lines of
 * the memory-over-time plot. Plain C, header-only, so the MPI programs stay ordinary MPI C
 * programs; counts are integers, times guest instructions (rdtsc under -icount shift=0,
 * experiments/common/bench_stats.h). */
#ifndef IPCLAB_ATTACK_REPORT_H
#define IPCLAB_ATTACK_REPORT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common/bench_stats.h"

/* ---- error counts: {"NAME": count}, NAME a kernel status or an MPI error class name ---- */

#define ATK_MAX_ERROR_KINDS 16
typedef struct {
    char name[ATK_MAX_ERROR_KINDS][40];
    unsigned long long count[ATK_MAX_ERROR_KINDS];
    int kinds;
} atk_errors;

static inline void atk_error(atk_errors* e, const char* name) {
    for (int i = 0; i < e->kinds; ++i)
        if (!strcmp(e->name[i], name)) {
            ++e->count[i];
            return;
        }
    if (e->kinds == ATK_MAX_ERROR_KINDS)
        name = "other", e->kinds--; /* the last kind absorbs the rest */
    snprintf(e->name[e->kinds], sizeof e->name[0], "%s", name);
    e->count[e->kinds++] = 1;
}

static inline unsigned long long atk_error_total(const atk_errors* e) {
    unsigned long long n = 0;
    for (int i = 0; i < e->kinds; ++i)
        n += e->count[i];
    return n;
}

/* ---- one attack line ---------------------------------------------------------------- */

typedef struct {
    char text[2048];
    size_t used;
} atk_line;

static inline void atk_put(atk_line* l, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(l->text + l->used, sizeof l->text - l->used, format, ap);
    va_end(ap);
    if (n > 0)
        l->used = l->used + (size_t)n < sizeof l->text ? l->used + (size_t)n : sizeof l->text - 1;
}

/* Starts {"type":"attack","attack":...,"layer":...,"policy":...,"role":...,"name":...; the
 * policy is the run's (IPCLAB_POLICY). Strings here and below are names without quotes. */
static inline void atk_begin(atk_line* l, const char* attack, const char* layer, const char* role,
                             const char* name) {
    l->used = 0;
    atk_put(l,
            "{\"type\":\"attack\",\"attack\":\"%s\",\"layer\":\"%s\",\"policy\":\"%s\",\"role\":\"%"
            "s\",\"name\":\"%s\"",
            attack, layer, bench_env("IPCLAB_POLICY", "none"), role, name);
}

static inline void atk_count(atk_line* l, const char* key, unsigned long long value) {
    atk_put(l, ",\"%s\":%llu", key, value);
}

static inline void atk_string(atk_line* l, const char* key, const char* value) {
    atk_put(l, ",\"%s\":\"%s\"", key, value);
}

/* The median of samples[0..n) (sorted in place), or ATK_NO_FIGURE when there are none. */
#define ATK_NO_FIGURE UINT64_MAX
static inline uint64_t atk_median_of(uint64_t* samples, size_t n) {
    return n ? bench_summarise(samples, n).median : ATK_NO_FIGURE;
}

/* A figure in guest instructions, null for ATK_NO_FIGURE. */
static inline void atk_figure(atk_line* l, const char* key, uint64_t value) {
    if (value == ATK_NO_FIGURE)
        atk_put(l, ",\"%s\":null", key);
    else
        atk_count(l, key, value);
}

static inline void atk_error_field(atk_line* l, const atk_errors* e) {
    atk_put(l, ",\"errors\":{");
    for (int i = 0; i < e->kinds; ++i)
        atk_put(l, "%s\"%s\":%llu", i ? "," : "", e->name[i], e->count[i]);
    atk_put(l, "}");
}

static inline void atk_end(atk_line* l) {
    atk_put(l, "}");
    printf("%s\n", l->text);
    fflush(stdout);
}

/* ---- the line of each role (docs/attacks.md, "Roles and their fields") ----------------- */

/* What an attacker did, counted as it goes (atk_tried; attack_mpi.h and attack_native.hpp
 * count MPI and native operations): operations tried, those the kernel carried out, the
 * errors of the rest. */
typedef struct {
    unsigned long long attempts, accepted;
    atk_errors errors;
} atk_tally;

/* Counts one operation: carried out when `error` is NULL, else failed with that error's
 * name. Returns whether it was carried out. */
static inline int atk_tried(atk_tally* t, const char* error) {
    ++t->attempts;
    if (!error) {
        ++t->accepted;
        return 1;
    }
    atk_error(&t->errors, error);
    return 0;
}

/* The attacker's line: operations tried, those the kernel carried out, the errors of the
 * rest; `buffer_peak_bytes` 0 where nothing is buffered, `stopped_by` "limit" or the name of
 * the error that stopped it. */
static inline void atk_print_attacker(const char* attack, const char* layer, const char* name,
                                      unsigned long long attempts, unsigned long long accepted,
                                      const atk_errors* errors,
                                      unsigned long long buffer_peak_bytes,
                                      const char* stopped_by) {
    atk_line l;
    atk_begin(&l, attack, layer, "attacker", name);
    atk_count(&l, "attempts", attempts);
    atk_count(&l, "accepted", accepted);
    atk_error_field(&l, errors);
    atk_count(&l, "buffer_peak_bytes", buffer_peak_bytes);
    atk_string(&l, "stopped_by", stopped_by);
    atk_end(&l);
}

/* A server's or victim's line; `blocked` (guest instructions its blocking operation waited)
 * is left out when it is ATK_NO_FIGURE. */
static inline void atk_print_receiver(const char* attack, const char* layer, const char* role,
                                      const char* name, unsigned long long received,
                                      unsigned long long violations, const char* result,
                                      uint64_t blocked, const atk_errors* errors) {
    atk_line l;
    atk_begin(&l, attack, layer, role, name);
    atk_count(&l, "received", received);
    atk_count(&l, "violations", violations);
    atk_string(&l, "result", result);
    if (blocked != ATK_NO_FIGURE) atk_count(&l, "blocked_instructions", blocked);
    atk_error_field(&l, errors);
    atk_end(&l);
}

static inline void atk_print_server(const char* attack, const char* layer, const char* name,
                                    unsigned long long received, unsigned long long violations,
                                    const char* result, const atk_errors* errors) {
    atk_print_receiver(attack, layer, "server", name, received, violations, result, ATK_NO_FIGURE,
                       errors);
}

/* A victim of starve or deadlock: nothing it receives is a violation. */
static inline void atk_print_victim(const char* attack, const char* layer, const char* name,
                                    unsigned long long received, const char* result,
                                    uint64_t blocked, const atk_errors* errors) {
    atk_print_receiver(attack, layer, "victim", name, received, 0, result, blocked, errors);
}

/* A client's round trips without the attack and with it; medians ATK_NO_FIGURE (null) when
 * there are none. */
typedef struct {
    unsigned long long before, during;
    uint64_t median_before, median_during;
} atk_round_trips;

/* A client's line; `rt` NULL for a client that makes no round trips (both counts 0, the
 * medians left out). */
static inline void atk_print_client(const char* attack, const char* layer, const char* name,
                                    const atk_round_trips* rt, unsigned long long failed,
                                    const atk_errors* errors) {
    atk_line l;
    atk_begin(&l, attack, layer, "client", name);
    atk_count(&l, "round_trips_before", rt ? rt->before : 0);
    if (rt) atk_figure(&l, "rt_median_before", rt->median_before);
    atk_count(&l, "round_trips_during", rt ? rt->during : 0);
    if (rt) atk_figure(&l, "rt_median_during", rt->median_during);
    atk_count(&l, "failed", failed);
    atk_error_field(&l, errors);
    atk_end(&l);
}

/* ---- arguments ------------------------------------------------------------------------ */

/* The slots listed in `list` ("2" or "1,16"), marked in given[0..n). */
static inline void atk_parse_slots(const char* list, unsigned char* given, unsigned long n) {
    for (const char* p = list; *p;) {
        char* end;
        unsigned long slot = strtoul(p, &end, 10);
        if (end == p) break;
        if (slot < n) given[slot] = 1;
        p = *end == ',' ? end + 1 : end;
    }
}

/* ---- the attacker's samples: at most one per 64 sends, at most ATK_MAX_SAMPLES -------- */

#define ATK_MAX_SAMPLES 200
#define ATK_SAMPLE_EVERY 64
typedef struct {
    uint64_t t[ATK_MAX_SAMPLES];
    unsigned long long sent[ATK_MAX_SAMPLES], bytes[ATK_MAX_SAMPLES];
    int n;
    unsigned long long every; /* 0: ATK_SAMPLE_EVERY */
} atk_sampler;

/* Whether the flood's `sent`-th send is to be sampled. A full sampler keeps every other
 * sample and samples half as often, so the samples span the whole flood whatever its length. */
static inline int atk_sample_due(atk_sampler* s, unsigned long long sent) {
    if (!s->every) s->every = ATK_SAMPLE_EVERY;
    return sent && sent % s->every == 0;
}

static inline void atk_sample(atk_sampler* s, uint64_t t, unsigned long long sent,
                              unsigned long long bytes) {
    if (s->n == ATK_MAX_SAMPLES) {
        int kept = 0;
        for (int i = 1; i < s->n;
             i += 2, ++kept) { /* the samples at multiples of the doubled period */
            s->t[kept] = s->t[i];
            s->sent[kept] = s->sent[i];
            s->bytes[kept] = s->bytes[i];
        }
        s->n = kept;
        s->every *= 2;
        if (sent % s->every) return;
    }
    s->t[s->n] = t;
    s->sent[s->n] = sent;
    s->bytes[s->n++] = bytes;
}

static inline void atk_print_samples(const atk_sampler* s, const char* attack, const char* layer) {
    for (int i = 0; i < s->n; ++i)
        printf("{\"type\":\"attack_sample\",\"attack\":\"%s\",\"layer\":\"%s\",\"policy\":\"%s\","
               "\"t\":%llu,"
               "\"sent\":%llu,\"buffer_bytes\":%llu}\n",
               attack, layer, bench_env("IPCLAB_POLICY", "none"), (unsigned long long)s->t[i],
               s->sent[i], s->bytes[i]);
    fflush(stdout);
}

/* Busy-waits about `instructions` guest instructions (timer preemption lets others run). */
static inline void atk_spin(uint64_t instructions) {
    const uint64_t start = bench_rdtsc();
    while (bench_rdtsc() - start < instructions)
        __asm__ volatile("pause");
}

#endif /* IPCLAB_ATTACK_REPORT_H */
