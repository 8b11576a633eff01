/* MPI variant of the scaling experiment (issue 6, item 7): an 8-byte MPI_Send/MPI_Recv round
 * trip between rank 1 (the client) and rank 0 (the server) while the other ranks are alive
 * and blocked (--mode tasks: each waits in MPI_Recv for the end), or while they are clients
 * of the same server too (--mode clients: each has a request queued at the server, a blocking
 * MPI_Send the server takes only at the end). Prints one result line with "tasks" (ranks)
 * and "clients" (the active client and the queued ones). An ordinary MPI program: it also
 * builds with Open MPI's mpicc. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bench_stats.h"

enum { TAG_REQUEST = 1, TAG_REPLY = 2, TAG_QUEUED = 3, TAG_END = 4 };

static void usage(void) {
    fprintf(stderr, "usage: scaling_mpi --mode tasks|clients [--reps N] [--warmup N]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
}

static void serve(int size, int clients_mode, int total) {
    char buf[8];
    for (int i = 0; i < total; ++i) {
        MPI_Recv(buf, 8, MPI_BYTE, 1, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf, 8, MPI_BYTE, 1, TAG_REPLY, MPI_COMM_WORLD);
    }
    for (int r = 2; r < size; ++r) {
        if (clients_mode) MPI_Recv(buf, 8, MPI_BYTE, r, TAG_QUEUED, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf, 0, MPI_BYTE, r, TAG_END, MPI_COMM_WORLD);
    }
}

static void client(int size, int clients_mode, int reps, int warmup) {
    uint64_t* samples = malloc(sizeof *samples * (size_t)reps);
    if (!samples) MPI_Abort(MPI_COMM_WORLD, 3);
    char buf[8] = "scaling";
    int verified = 1;
    for (int i = 0; i < warmup + reps; ++i) {
        buf[0] = (char)i;
        const uint64_t t0 = bench_rdtsc();
        MPI_Send(buf, 8, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
        MPI_Recv(buf, 8, MPI_BYTE, 0, TAG_REPLY, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        const uint64_t t1 = bench_rdtsc();
        verified &= buf[0] == (char)i;
        if (i >= warmup) samples[i - warmup] = t1 - t0;
    }
    const bench_stats s = bench_summarise(samples, (size_t)reps);
    printf("{\"type\":\"result\",\"experiment\":\"ipc_scaling\",\"layer\":\"mpi\",\"op\":\"mpi_send_recv\","
           "\"metric\":\"round_trip\",\"transport\":\"MPI_Send/MPI_Recv\",\"policy\":\"%s\",\"commit\":\"%s\","
           "\"unit\":\"%s\",\"bytes\":8,\"tasks\":%d,\"clients\":%d,\"iterations\":%d,\"warmup\":%d,"
           "\"min\":%llu,\"p10\":%llu,\"median\":%llu,\"p90\":%llu,\"max\":%llu,\"mean\":%.1f,\"stddev\":%.1f,"
           "\"verified\":%s}\n",
           bench_env("IPCLAB_POLICY", "unknown"), bench_env("IPCLAB_COMMIT", "unknown"),
           bench_env("IPCLAB_UNIT", "rdtsc_ticks"), size, clients_mode ? size - 1 : 1, reps, warmup,
           (unsigned long long)s.min, (unsigned long long)s.p10, (unsigned long long)s.median,
           (unsigned long long)s.p90, (unsigned long long)s.max, s.mean, s.stddev, verified ? "true" : "false");
    fflush(stdout);
    free(samples);
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size, clients_mode = -1, reps = 1000, warmup = 100;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            ++i;
            clients_mode = !strcmp(argv[i], "clients") ? 1 : !strcmp(argv[i], "tasks") ? 0 : -1;
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
            warmup = atoi(argv[++i]);
        } else {
            usage();
        }
    }
    if (clients_mode < 0 || reps < 1 || warmup < 0 || size < 2) usage();
    char buf[8] = {0};
    if (rank == 0) {
        serve(size, clients_mode, warmup + reps);
    } else if (rank == 1) {
        client(size, clients_mode, reps, warmup);
    } else {
        if (clients_mode) MPI_Send(buf, 8, MPI_BYTE, 0, TAG_QUEUED, MPI_COMM_WORLD);
        MPI_Recv(buf, 0, MPI_BYTE, 0, TAG_END, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    MPI_Finalize();
    return 0;
}
