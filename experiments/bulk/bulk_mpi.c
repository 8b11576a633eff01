/* Bulk transfer over MPI (issue 6, DESIGN.md "Experiments" 8): rank 0 sends rank 1 4 KiB ..
 * 1 MiB, rank 1 checks every word and answers with its verdict (one int), and rank 0 measures
 * guest instructions per transfer, from before it writes the payload until the verdict
 * arrives: a one-way stream with an acknowledgement per transfer, the bulk measure (a
 * ping-pong would time two transfers and the echo's copy). An ordinary MPI C program: it
 * builds with ipclab's mpicc and with Open MPI's, and runs with 2 ranks. Transports
 * (--transports, in this order):
 *   local             reference: rank 0 writes the payload and checks it itself
 *   local-memcpy      reference: the same with one memcpy between
 *   mpi-send          MPI_Send of the whole transfer to a posted MPI_Recv: ipclab's MPI_Send is
 *                     a rendezvous, one copy from buffer to buffer (docs/mpi.md)
 *   mpi-send-probed   the same, but rank 1 waits in MPI_Probe and posts its MPI_Recv only once
 *                     the message is there
 *   mpi-isend-probed  MPI_Isend + MPI_Wait to the same probing receiver: a message of up to
 *                     comm_eager_bytes (4096, abi/comm.hpp) finds no posted receive and is
 *                     copied into a kernel buffer, then out of it (two copies); a larger one
 *                     waits in rank 0's buffer (rendezvous, one copy). With mpi-send-probed it
 *                     isolates what kernel buffering costs: nothing else differs
 *   mpi-isend-window  the transfer as a window of MPI_Isends of up to 64 KiB into MPI_Irecvs
 *                     rank 1 posted first, completed with MPI_Waitall (as osu_bw sends)
 * On ipclab each row also has kernel_buffered_bytes: the kernel memory buffering rank 0's
 * messages (MPIX_Buffer_usage) just after its send call returned (MPI_Send; MPI_Isend, before
 * MPI_Wait; the window's MPI_Isends, before MPI_Waitall), sampled in the last warm-up transfer
 * of the case (the first measured one with --warmup 0): in the steady state, where the first
 * transfer after the barrier may find rank 1 not yet waiting, and where no measured transfer
 * pays for the sample.
 *
 * usage: bulk_mpi [--sizes 4096,...] [--reps N] [--warmup N] [--transports LIST] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk_common.h"

#define DATA_TAG 1
#define ACK_TAG 2
#define WINDOW_BYTES 65536
#define MAX_WINDOW (BULK_MAX_BYTES / WINDOW_BYTES)

/* Each transport's name in --transports and in the result rows. */
static const char* const keys[] = {"local",           "local-memcpy",     "mpi-send",
                                   "mpi-send-probed", "mpi-isend-probed", "mpi-isend-window"};
static const char* const labels[] = {"local",
                                     "local-memcpy",
                                     "mpi-send",
                                     "mpi-send, probed",
                                     "mpi-isend, probed",
                                     "mpi-isend, window"};
enum { LOCAL, LOCAL_MEMCPY, SEND, SEND_PROBED, ISEND_PROBED, ISEND_WINDOW, TRANSPORTS };

/* How many messages a transfer of `bytes` takes. */
static size_t messages(int t, size_t bytes) {
    if (t == LOCAL || t == LOCAL_MEMCPY) return 0;
    return t == ISEND_WINDOW ? (bytes + WINDOW_BYTES - 1) / WINDOW_BYTES : 1;
}

/* The kernel memory buffering this task's messages now, in bytes (ipclab only; -1 elsewhere,
 * and the row omits it). */
static long long buffered_now(void) {
#ifdef IPCLAB_MPI_H
    long long now = 0, peak = 0;
    if (MPIX_Buffer_usage(&now, &peak) == MPI_SUCCESS) return now;
#endif
    return -1;
}

/* Rank 0's side of one transfer; returns rank 1's verdict (1: every word right). When
 * `buffered` is not NULL it receives buffered_now() just after the send call returned. */
static int send_one(int t, uint64_t* out, uint64_t* copy, size_t bytes, uint64_t seed,
                    long long* buffered) {
    bulk_fill(out, 0, bytes / 8, seed);
    if (t == LOCAL) return bulk_check(out, 0, bytes / 8, seed);
    if (t == LOCAL_MEMCPY) return bulk_check(memcpy(copy, out, bytes), 0, bytes / 8, seed);
    if (t == SEND || t == SEND_PROBED) {
        MPI_Send(out, (int)bytes, MPI_BYTE, 1, DATA_TAG, MPI_COMM_WORLD);
        if (buffered) *buffered = buffered_now();
    } else if (t == ISEND_PROBED) {
        MPI_Request r;
        MPI_Isend(out, (int)bytes, MPI_BYTE, 1, DATA_TAG, MPI_COMM_WORLD, &r);
        if (buffered) *buffered = buffered_now();
        MPI_Wait(&r, MPI_STATUS_IGNORE);
    } else {
        MPI_Request r[MAX_WINDOW];
        int n = 0;
        for (size_t off = 0; off < bytes; off += WINDOW_BYTES, ++n)
            MPI_Isend((char*)out + off,
                      (int)(bytes - off < WINDOW_BYTES ? bytes - off : WINDOW_BYTES), MPI_BYTE, 1,
                      DATA_TAG, MPI_COMM_WORLD, &r[n]);
        if (buffered) *buffered = buffered_now();
        MPI_Waitall(n, r, MPI_STATUSES_IGNORE);
    }
    int verdict = 0;
    MPI_Recv(&verdict, 1, MPI_INT, 1, ACK_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return verdict;
}

/* Rank 1's side of one transfer: receive, check every word, answer with the verdict. */
static void receive_one(int t, uint64_t* in, size_t bytes, uint64_t seed) {
    MPI_Status st;
    int count = -1, ok = 1;
    if (t == ISEND_WINDOW) {
        MPI_Request r[MAX_WINDOW];
        int n = 0;
        for (size_t off = 0; off < bytes; off += WINDOW_BYTES, ++n)
            MPI_Irecv((char*)in + off,
                      (int)(bytes - off < WINDOW_BYTES ? bytes - off : WINDOW_BYTES), MPI_BYTE, 0,
                      DATA_TAG, MPI_COMM_WORLD, &r[n]);
        MPI_Status sts[MAX_WINDOW];
        MPI_Waitall(n, r, sts);
        for (int i = 0; i < n; ++i) {
            MPI_Get_count(&sts[i], MPI_BYTE, &count);
            size_t want = bytes - (size_t)i * WINDOW_BYTES < WINDOW_BYTES
                              ? bytes - (size_t)i * WINDOW_BYTES
                              : WINDOW_BYTES;
            if ((size_t)count != want) ok = 0;
        }
    } else {
        if (t == SEND_PROBED || t == ISEND_PROBED) MPI_Probe(0, DATA_TAG, MPI_COMM_WORLD, &st);
        MPI_Recv(in, (int)bytes, MPI_BYTE, 0, DATA_TAG, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_BYTE, &count);
        if ((size_t)count != bytes) ok = 0;
    }
    ok &= bulk_check(in, 0, bytes / 8, seed);
    MPI_Send(&ok, 1, MPI_INT, 0, ACK_TAG, MPI_COMM_WORLD);
}

int main(int argc, char** argv) {
    int rank, size;
    bulk_options o;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (bulk_parse(argc, argv, 1, "bulk_mpi", &o, NULL) != 0) MPI_Abort(MPI_COMM_WORLD, 2);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "bulk_mpi: needs exactly 2 ranks, has %d\n", size);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    const size_t largest = bulk_largest(&o);
    void *a = NULL, *b = NULL;
    if (posix_memalign(&a, BENCH_PAGE_BYTES, largest) != 0) a = NULL;
    if (posix_memalign(&b, BENCH_PAGE_BYTES, largest) != 0) b = NULL;
    uint64_t* samples = malloc(sizeof *samples * (size_t)o.reps);
    if (!a || !b || !samples) {
        fprintf(stderr, "bulk_mpi: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 3);
    }

    int failures = 0;
    uint64_t seed = 1;
    for (int t = 0; t < TRANSPORTS; ++t) {
        if (!bulk_wanted(o.transports, keys[t])) continue;
        for (int s = 0; s < o.nsizes; ++s) {
            const size_t bytes = o.sizes[s];
            int verified = 1;
            long long buffered = -1;
            MPI_Barrier(MPI_COMM_WORLD);
            for (long rep = 0; rep < o.warmup + o.reps; ++rep, ++seed) {
                if (rank == 1) {
                    if (t != LOCAL && t != LOCAL_MEMCPY) receive_one(t, a, bytes, seed);
                    continue;
                }
                uint64_t t0 = bench_rdtsc();
                int ok = send_one(t, a, b, bytes, seed,
                                  rep == (o.warmup ? o.warmup - 1 : 0) ? &buffered : NULL);
                uint64_t t1 = bench_rdtsc();
                verified &= ok;
                if (rep >= o.warmup) samples[rep - o.warmup] = t1 - t0;
            }
            if (rank == 0) {
                bench_stats st = bench_summarise(samples, (size_t)o.reps);
                bulk_print_result("mpi", labels[t], bytes, (size_t)o.reps, (size_t)o.warmup, &st,
                                  verified, messages(t, bytes), 1, buffered);
                if (!verified) {
                    fprintf(stderr, "bulk_mpi: %s delivered a wrong payload at %zu bytes\n",
                            labels[t], bytes);
                    ++failures;
                }
            }
        }
    }
    free(a);
    free(b);
    free(samples);
    MPI_Finalize();
    return failures ? 4 : 0;
}
