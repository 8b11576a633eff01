/* What the MPI attack programs share besides the JSON lines (attack_report.h): the names of
 * MPI error classes for the "errors" objects, a blocking operation's outcome as the
 * "result" field names it, and the rank's name as the harness knows it (rank<N>). */
#ifndef IPCLAB_ATTACK_MPI_H
#define IPCLAB_ATTACK_MPI_H

#include <mpi.h>
#include <stdio.h>

#include "experiments/attacks/attack_report.h"

/* The name of error class `c` as mpi.h spells it (MPI_ERR_<number> for one not listed). */
static inline const char* atk_mpi_error_name(int c) {
    static char other[32];
    switch (c) {
#define ATK_CLASS(name)                                                                            \
    case name:                                                                                     \
        return #name
        ATK_CLASS(MPI_SUCCESS);
        ATK_CLASS(MPI_ERR_BUFFER);
        ATK_CLASS(MPI_ERR_COUNT);
        ATK_CLASS(MPI_ERR_TAG);
        ATK_CLASS(MPI_ERR_COMM);
        ATK_CLASS(MPI_ERR_RANK);
        ATK_CLASS(MPI_ERR_REQUEST);
        ATK_CLASS(MPI_ERR_ARG);
        ATK_CLASS(MPI_ERR_TRUNCATE);
        ATK_CLASS(MPI_ERR_OTHER);
        ATK_CLASS(MPI_ERR_INTERN);
        ATK_CLASS(MPI_ERR_NO_MEM);
        ATK_CLASS(MPI_ERR_UNSUPPORTED_OPERATION);
        ATK_CLASS(MPI_ERR_ACCESS);
#ifdef MPIX_ERR_PROC_FAILED /* ipclab's classes: absent from other MPI libraries */
        ATK_CLASS(MPIX_ERR_PROC_FAILED);
        ATK_CLASS(MPIX_ERR_TIMEOUT);
        ATK_CLASS(MPIX_ERR_SEND_ABORTED);
#endif
#ifdef MPIX_ERR_CREDIT
        ATK_CLASS(MPIX_ERR_CREDIT);
#endif
#undef ATK_CLASS
    }
    snprintf(other, sizeof other, "MPI_ERR_%d", c);
    return other;
}

/* A blocking operation's outcome for the "result" field: the kernel status names of
 * docs/attacks.md where the class stands for one, else the class name. */
static inline const char* atk_mpi_result(int c) {
    switch (c) {
    case MPI_SUCCESS:
        return "ok";
    case MPI_ERR_ACCESS:
        return "denied";
#ifdef MPIX_ERR_PROC_FAILED
    case MPIX_ERR_TIMEOUT:
        return "timed_out";
    case MPIX_ERR_SEND_ABORTED:
        return "send_aborted";
    case MPIX_ERR_PROC_FAILED:
        return "partner_dead";
#endif
    default:
        return atk_mpi_error_name(c);
    }
}

/* Records a failed call's class in `e` and returns it (0 for success, which is not recorded). */
static inline int atk_mpi_check(atk_errors* e, int code) {
    if (code != MPI_SUCCESS) {
        int c = code;
        MPI_Error_class(code, &c);
        atk_error(e, atk_mpi_error_name(c));
        return c;
    }
    return 0;
}

/* MPI_Init with errors returned instead of fatal (an attack's errors are its data); the
 * caller's rank in MPI_COMM_WORLD, and its task name in `name`. */
static inline int atk_mpi_init(int* argc, char*** argv, char* name, size_t capacity) {
    int rank = 0;
    MPI_Init(argc, argv);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    snprintf(name, capacity, "rank%d", rank);
    return rank;
}

#endif /* IPCLAB_ATTACK_MPI_H */
