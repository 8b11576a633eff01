/* Output and self-check helpers of the MPI compatibility programs. Every line starts with
 * "rank R: " and is written with one flush, so the sorted output of all ranks is the same text
 * under any MPI library; a failed check prints "rank R: FAIL <what>" and aborts the job. */
#ifndef IPCLAB_MPI_COMPAT_CHECK_H
#define IPCLAB_MPI_COMPAT_CHECK_H

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>

static int say_rank = -1; /* MPI_COMM_WORLD rank; set by say_init after MPI_Init */

static inline void say_init(void) {
    MPI_Comm_rank(MPI_COMM_WORLD, &say_rank);
}

/* One output line "rank R: <printf text>", written in one piece. */
static inline void say(const char* fmt, ...) {
    char line[1024];
    int n = snprintf(line, sizeof line, "rank %d: ", say_rank);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    printf("%s\n", line);
    fflush(stdout);
}

static inline void fail_at(const char* what, int line) {
    say("FAIL %s (line %d)", what, line);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* CHECK(condition, "what"): on false, report and end the whole job. */
#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) fail_at((what), __LINE__);                                                    \
    } while (0)

#endif
