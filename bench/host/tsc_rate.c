/* The TSC's rate on this host, measured against CLOCK_MONOTONIC_RAW: what converts the
 * rdtsc ticks the workloads print (experiments/common/bench_stats.h) into wall-clock ns when
 * they run on Linux (scripts/ipclab run --backend openmpi, scripts/ipclab_cli/openmpi_backend.py,
 * which builds this with mpicc and starts one per rank with mpirun, so each host reports its own).
 * Prints
 * {"type":"tsc","rank","host","ticks_per_ns","windows","spread","constant_tsc","nonstop_tsc"}: the
 * median of five 20 ms windows, and (max - min) / median of the five. Not an MPI program: the rank
 * is Open MPI's OMPI_COMM_WORLD_RANK, or 0. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WINDOWS 5

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_RAW, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* Whether /proc/cpuinfo's first "flags" line lists `flag`. */
static int has_flag(const char* flag) {
    char line[8192];
    FILE* f = fopen("/proc/cpuinfo", "r");
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5)) {
            for (char* w = strtok(strchr(line, ':') + 1, " \n"); w; w = strtok(NULL, " \n"))
                found |= !strcmp(w, flag);
            break;
        }
    if (f) fclose(f);
    return found;
}

int main(void) {
    double rate[WINDOWS];
    for (int i = 0; i < WINDOWS; ++i) {
        const struct timespec pause = {0, 20 * 1000 * 1000};
        double t0 = now_ns();
        uint64_t c0 = __builtin_ia32_rdtsc();
        nanosleep(&pause, NULL);
        double t1 = now_ns();
        uint64_t c1 = __builtin_ia32_rdtsc();
        rate[i] = (double)(c1 - c0) / (t1 - t0);
    }
    qsort(rate, WINDOWS, sizeof rate[0], compare);
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    const char* rank = getenv("OMPI_COMM_WORLD_RANK");
    printf("{\"type\":\"tsc\",\"rank\":%d,\"host\":\"%s\",\"ticks_per_ns\":%.6f,\"windows\":%d,"
           "\"spread\":%.6f,"
           "\"constant_tsc\":%s,\"nonstop_tsc\":%s}\n",
           rank ? atoi(rank) : 0, host, rate[WINDOWS / 2], WINDOWS,
           (rate[WINDOWS - 1] - rate[0]) / rate[WINDOWS / 2],
           has_flag("constant_tsc") ? "true" : "false", has_flag("nonstop_tsc") ? "true" : "false");
    return 0;
}
