/* What the MPI attack programs share besides the JSON lines (attack_report.h): the names of
 * MPI error classes for the "errors" objects, a blocking operation's outcome as the
 * "result" field names it, and the rank's name as the harness knows it (rank<N>). */
#ifndef IPCLAB_ATTACK_MPI_H
#define IPCLAB_ATTACK_MPI_H

#include <mpi.h>
#include <stdio.h>
#include <string.h>

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

/* Counts an MPI operation of the attacker that returned `code` in its tally (attack_report.h);
 * returns its class (0 for success). */
static inline int atk_mpi_tried(atk_tally* t, int code) {
    ++t->attempts;
    const int c = atk_mpi_check(&t->errors, code);
    t->accepted += c == 0;
    return c;
}

/* The attacker's done mark: an int to `dest` under `tag` (a failure is recorded in `errors`). */
static inline void atk_mpi_done(int dest, int tag, atk_errors* errors) {
    int token = 0;
    atk_mpi_check(errors, MPI_Send(&token, 1, MPI_INT, dest, tag, MPI_COMM_WORLD));
}

/* The legitimate client of spoof and unauthorized: waits for the attacker's done mark (an int
 * under `done_tag`), then MPI_Send's `count` items of `type` at `payload` to `server` under
 * `tag` `tries` times and once under `end_tag`, and prints its line (no round trips). */
static inline void atk_mpi_client(const char* attack, const char* name, int attacker, int done_tag,
                                  const void* payload, int count, MPI_Datatype type, int server,
                                  int tag, int end_tag, int tries) {
    atk_errors errors;
    memset(&errors, 0, sizeof errors); /* not {0}: C++ programs include this too */
    unsigned long long failed = 0;
    int token = 0;
    failed += atk_mpi_check(&errors, MPI_Recv(&token, 1, MPI_INT, attacker, done_tag,
                                              MPI_COMM_WORLD, MPI_STATUS_IGNORE)) != 0;
    for (int i = 0; i <= tries; ++i)
        failed += atk_mpi_check(&errors, MPI_Send(payload, count, type, server,
                                                  i < tries ? tag : end_tag, MPI_COMM_WORLD)) != 0;
    atk_print_client(attack, "mpi", name, NULL, failed, &errors);
}

/* Receives every message waiting on `comm` from any source under `tag` (MPI_ANY_TAG for
 * all) into an int; how many. Bounded at 10000. */
static inline unsigned long long atk_mpi_drain(MPI_Comm comm, int tag, atk_errors* errors) {
    unsigned long long n = 0;
    for (int i = 0; i < 10000; ++i) {
        int flag = 0, payload;
        MPI_Status st;
        if (atk_mpi_check(errors, MPI_Iprobe(MPI_ANY_SOURCE, tag, comm, &flag, &st)) || !flag)
            break;
        if (atk_mpi_check(errors,
                          MPI_Recv(&payload, 1, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, comm, &st)))
            break;
        ++n;
    }
    return n;
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
