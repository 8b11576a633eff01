// Open MPI's ping-pong on the host (Google Benchmark, wall-clock ns): an MPI program run as
// `mpirun -np 2 ipclab_bench_openmpi [--benchmark_...]`. Rank 0 runs the benchmarks, timing
// MPI_Send + MPI_Recv of each size as experiments/pingpong/pingpong_mpi.c does; rank 1 is an
// echo server that sends back whatever arrives, until a stop message. Google Benchmark picks
// the iteration count as it goes (and repeats runs), so rank 1 cannot know it in advance: an
// echo server that needs no count keeps the benchmark library in charge, on one rank.
#include <benchmark/benchmark.h>
#include <mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>

namespace {

constexpr int64_t sizes[] = {0, 8, 64, 512, 4096, 65536};
constexpr int largest = 65536;
constexpr int data_tag = 7, stop_tag = 8;

unsigned char* page_buffer() {
    return static_cast<unsigned char*>(aligned_alloc(4096, largest));
}

/// Rank 1: echoes every message back with its size and tag until the stop tag arrives.
void echo_server() {
    unsigned char* buf = page_buffer();
    for (;;) {
        MPI_Status status;
        MPI_Recv(buf, largest, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
        if (status.MPI_TAG == stop_tag) break;
        int count;
        MPI_Get_count(&status, MPI_BYTE, &count);
        MPI_Send(buf, count, MPI_BYTE, 0, status.MPI_TAG, MPI_COMM_WORLD);
    }
    free(buf);
}

/// Rank 0: one round trip per iteration; the last echo is checked byte for byte.
void pingpong(benchmark::State& state) {
    const int n = int(state.range(0));
    static unsigned char* out = page_buffer();
    static unsigned char* in = page_buffer();
    for (int i = 0; i < n; ++i)
        out[i] = (unsigned char)(i * 7 + 1);
    memset(in, 0, size_t(n));
    for (auto _ : state) {
        MPI_Send(out, n, MPI_BYTE, 1, data_tag, MPI_COMM_WORLD);
        MPI_Recv(in, n, MPI_BYTE, 1, data_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    if (memcmp(in, out, size_t(n)) != 0) state.SkipWithError("the echo differs from the message");
}

} // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "ipclab_bench_openmpi: needs exactly 2 ranks (mpirun -np 2), has %d\n",
                    size);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == 1) {
        echo_server();
    } else {
        benchmark::Initialize(&argc, argv);
        auto* b = benchmark::RegisterBenchmark("openmpi/MPI_Send-MPI_Recv", pingpong);
        for (int64_t n : sizes)
            b->Arg(n);
        b->UseRealTime()->Unit(benchmark::kNanosecond);
        char library[MPI_MAX_LIBRARY_VERSION_STRING];
        int length = 0;
        MPI_Get_library_version(library, &length);
        std::string version(library, size_t(length));
        benchmark::AddCustomContext("mpi_library", version.substr(0, version.find_first_of(",\n")));
        benchmark::AddCustomContext("mpi_ranks", "2");
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        MPI_Send(nullptr, 0, MPI_BYTE, 1, stop_tag, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return 0;
}
