/* Ping-pong over MPI: rank 0 sends a message to rank 1 and waits for the echo, for each
 * message size; every payload byte is checked. An ordinary MPI C program: it builds with
 * ipclab's mpicc and with Open MPI's, and runs under either launcher with 2 ranks.
 *
 * usage: pingpong_mpi [--sizes 0,8,64,512,4096] [--reps N] [--warmup N]
 * Prints one JSON line per size on rank 0 (see experiments/common/bench_stats.h). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_stats.h"

#define MAX_SIZES 32

static int parse_args(int argc, char** argv, size_t* sizes, int* nsizes, long* reps, long* warmup) {
    for (int i = 1; i < argc; ++i) {
        if (i + 1 < argc && !strcmp(argv[i], "--sizes")) {
            *nsizes = bench_parse_sizes(argv[++i], sizes, MAX_SIZES);
            if (*nsizes <= 0) return fprintf(stderr, "pingpong_mpi: bad --sizes '%s'\n", argv[i]), -1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--reps")) {
            *reps = strtol(argv[++i], NULL, 10);
            if (*reps <= 0) return fprintf(stderr, "pingpong_mpi: --reps must be positive\n"), -1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--warmup")) {
            *warmup = strtol(argv[++i], NULL, 10);
            if (*warmup < 0) return fprintf(stderr, "pingpong_mpi: --warmup must be >= 0\n"), -1;
        } else {
            return fprintf(stderr, "pingpong_mpi: unknown argument '%s'\n", argv[i]), -1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    size_t sizes[MAX_SIZES] = {0, 8, 64, 512, 4096};
    int nsizes = 5;
    long reps = 1000, warmup = 100;
    int rank, size;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (parse_args(argc, argv, sizes, &nsizes, &reps, &warmup) != 0) MPI_Abort(MPI_COMM_WORLD, 2);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "pingpong_mpi: needs exactly 2 ranks, has %d\n", size);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }

    size_t largest = 0;
    for (int s = 0; s < nsizes; ++s)
        if (sizes[s] > largest) largest = sizes[s];
    /* Both buffers start on a page, as the OSU micro-benchmarks place theirs: each size is
     * measured at the same alignment whatever else --sizes lists (the cost of a copy depends on
     * it), and a message of up to a page lies in one page. */
    void *out_page = NULL, *in_page = NULL;
    if (posix_memalign(&out_page, BENCH_PAGE_BYTES, largest + 1) != 0) out_page = NULL;
    if (posix_memalign(&in_page, BENCH_PAGE_BYTES, largest + 1) != 0) in_page = NULL;
    unsigned char* out = out_page;
    unsigned char* in = in_page;
    uint64_t* samples = malloc(sizeof *samples * (size_t)reps);
    if (!out || !in || !samples) {
        fprintf(stderr, "pingpong_mpi: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 3);
    }

    for (int s = 0; s < nsizes; ++s) {
        const size_t bytes = sizes[s];
        int verified = 1;
        MPI_Barrier(MPI_COMM_WORLD);
        for (long rep = 0; rep < warmup + reps; ++rep) {
            if (rank == 0) {
                for (size_t i = 0; i < bytes; ++i) out[i] = bench_pattern((size_t)rep, i);
                memset(in, 0, bytes);
                MPI_Status status;
                uint64_t t0 = bench_rdtsc();
                MPI_Send(out, (int)bytes, MPI_BYTE, 1, 7, MPI_COMM_WORLD);
                MPI_Recv(in, (int)bytes, MPI_BYTE, 1, 7, MPI_COMM_WORLD, &status);
                uint64_t t1 = bench_rdtsc();
                int count;
                MPI_Get_count(&status, MPI_BYTE, &count);
                if ((size_t)count != bytes || status.MPI_SOURCE != 1 || status.MPI_TAG != 7 ||
                    memcmp(in, out, bytes) != 0)
                    verified = 0;
                if (rep >= warmup) samples[rep - warmup] = t1 - t0;
            } else {
                MPI_Recv(in, (int)bytes, MPI_BYTE, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (rep < warmup) /* checked outside rank 0's timed repetitions */
                    for (size_t i = 0; i < bytes; ++i)
                        if (in[i] != bench_pattern((size_t)rep, i)) verified = 0;
                MPI_Send(in, (int)bytes, MPI_BYTE, 0, 7, MPI_COMM_WORLD);
            }
        }
        if (rank == 1 && !verified) {
            fprintf(stderr, "pingpong_mpi: rank 1 received a corrupt payload of %zu bytes\n", bytes);
            MPI_Abort(MPI_COMM_WORLD, 4);
        }
        if (rank == 0) {
            bench_stats st = bench_summarise(samples, (size_t)reps);
            bench_print_result("pingpong", "mpi", "MPI_Send/MPI_Recv", bytes, (size_t)reps, (size_t)warmup, &st,
                               verified);
            if (!verified) {
                fprintf(stderr, "pingpong_mpi: corrupt echo at %zu bytes\n", bytes);
                MPI_Abort(MPI_COMM_WORLD, 4);
            }
        }
    }
    free(out);
    free(in);
    free(samples);
    MPI_Finalize();
    return 0;
}
