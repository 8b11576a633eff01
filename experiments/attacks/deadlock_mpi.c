/* deadlock over MPI (docs/attacks.md): ranks 0 and 1 both MPI_Send to each other first. An
 * MPI_Send is a rendezvous here (docs/mpi.md), so both block; under a send timeout both
 * sends fail with MPIX_ERR_TIMEOUT, each rank prints its line and skips its receive.
 * usage: attack_deadlock_mpi   (2 ranks) */
#include "experiments/attacks/attack_mpi.h"

int main(int argc, char** argv) {
    char name[16];
    const int rank = atk_mpi_init(&argc, &argv, name, sizeof name);
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        fprintf(stderr, "attack_deadlock_mpi: needs 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    atk_errors errors = {0};
    unsigned long long received = 0;
    double out = rank, in = -1;
    uint64_t t0 = bench_rdtsc();
    int code = atk_mpi_check(&errors, MPI_Send(&out, 1, MPI_DOUBLE, 1 - rank, 0, MPI_COMM_WORLD));
    uint64_t blocked = bench_rdtsc() - t0;
    if (!code && !atk_mpi_check(&errors, MPI_Recv(&in, 1, MPI_DOUBLE, 1 - rank, 0, MPI_COMM_WORLD,
                                                  MPI_STATUS_IGNORE)))
        ++received;
    atk_print_victim("deadlock", "mpi", name, received, atk_mpi_result(code), blocked, &errors);
    MPI_Finalize();
    return 0;
}
