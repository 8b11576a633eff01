/* Errors returned instead of aborting (MPI-3.1 section 8.3): with MPI_ERRORS_RETURN on
 * MPI_COMM_WORLD, a receive into a buffer shorter than the message fails with an error of class
 * MPI_ERR_TRUNCATE (section 3.2.4) from MPI_Recv, from MPI_Wait after MPI_Irecv and from a
 * wildcard receive; an invalid rank, count or tag fails with MPI_ERR_RANK, MPI_ERR_COUNT,
 * MPI_ERR_TAG; MPI_TAG_UB is at least 32767 and usable (section 8.1.2); communication still works
 * afterwards. Classes are printed by name, never by number or library text. Any size >= 2. */
#include <string.h>

#include "check.h"

static const char* class_name(int code) {
    int cls = -1;
    MPI_Error_class(code, &cls);
    switch (cls) {
    case MPI_SUCCESS:
        return "MPI_SUCCESS";
    case MPI_ERR_BUFFER:
        return "MPI_ERR_BUFFER";
    case MPI_ERR_COUNT:
        return "MPI_ERR_COUNT";
    case MPI_ERR_TYPE:
        return "MPI_ERR_TYPE";
    case MPI_ERR_TAG:
        return "MPI_ERR_TAG";
    case MPI_ERR_COMM:
        return "MPI_ERR_COMM";
    case MPI_ERR_RANK:
        return "MPI_ERR_RANK";
    case MPI_ERR_REQUEST:
        return "MPI_ERR_REQUEST";
    case MPI_ERR_ROOT:
        return "MPI_ERR_ROOT";
    case MPI_ERR_ARG:
        return "MPI_ERR_ARG";
    case MPI_ERR_TRUNCATE:
        return "MPI_ERR_TRUNCATE";
    case MPI_ERR_OTHER:
        return "MPI_ERR_OTHER";
    case MPI_ERR_INTERN:
        return "MPI_ERR_INTERN";
    default:
        return "another class";
    }
}

/* Prints "<what>: <class name>" and checks the class and that MPI_Error_string has a text. */
static void expect(const char* what, int code, int want_class) {
    int cls = -1, len = 0;
    char text[MPI_MAX_ERROR_STRING];
    MPI_Error_class(code, &cls);
    MPI_Error_string(code, text, &len);
    say("%s: %s", what, class_name(code));
    CHECK(len > 0 && len < MPI_MAX_ERROR_STRING && (int)strlen(text) == len, "MPI_Error_string");
    CHECK(cls == want_class, what);
}

int main(int argc, char** argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    say_init();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size >= 2, "needs 2 or more ranks");
    CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN) == MPI_SUCCESS,
          "MPI_Comm_set_errhandler");
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;

    /* MPI_Recv of 4 ints from a 10-int message; the sender's MPI_Isend succeeds */
    int out[10], in[10];
    for (int i = 0; i < 10; ++i)
        out[i] = rank * 100 + i;
    MPI_Request send;
    MPI_Status st;
    MPI_Isend(out, 10, MPI_INT, right, 1, MPI_COMM_WORLD, &send);
    expect("recv 10 ints into 4", MPI_Recv(in, 4, MPI_INT, left, 1, MPI_COMM_WORLD, &st),
           MPI_ERR_TRUNCATE);
    expect("isend of the 10 ints", MPI_Wait(&send, MPI_STATUS_IGNORE), MPI_SUCCESS);

    /* the same through MPI_Irecv and MPI_Wait, the other way round */
    double dout[8] = {1, 2, 3, 4, 5, 6, 7, 8}, din[8];
    MPI_Request recv;
    MPI_Irecv(din, 2, MPI_DOUBLE, right, 2, MPI_COMM_WORLD, &recv);
    MPI_Isend(dout, 8, MPI_DOUBLE, left, 2, MPI_COMM_WORLD, &send);
    expect("irecv 8 doubles into 2, wait", MPI_Wait(&recv, &st), MPI_ERR_TRUNCATE);
    expect("isend of the 8 doubles", MPI_Wait(&send, MPI_STATUS_IGNORE), MPI_SUCCESS);
    MPI_Barrier(MPI_COMM_WORLD);

    /* a one-byte message into an empty buffer, received from any source with any tag */
    char c = 'x';
    if (rank == 0) {
        expect("recv 1 byte into 0 from any source",
               MPI_Recv(&c, 0, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st),
               MPI_ERR_TRUNCATE);
        CHECK(c == 'x', "a zero-count receive wrote to its buffer");
    } else if (rank == size - 1) {
        expect("send 1 byte to rank 0", MPI_Send(&c, 1, MPI_BYTE, 0, 3, MPI_COMM_WORLD),
               MPI_SUCCESS);
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* invalid arguments fail at once and send nothing */
    int v = 5;
    expect("send to rank size", MPI_Send(&v, 1, MPI_INT, size, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    expect("send to rank -5", MPI_Send(&v, 1, MPI_INT, -5, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    expect("recv from rank size + 3", MPI_Recv(&v, 1, MPI_INT, size + 3, 0, MPI_COMM_WORLD, &st),
           MPI_ERR_RANK);
    expect("send count -1", MPI_Send(&v, -1, MPI_INT, right, 0, MPI_COMM_WORLD), MPI_ERR_COUNT);
    expect("recv count -1", MPI_Recv(&v, -1, MPI_INT, left, 0, MPI_COMM_WORLD, &st), MPI_ERR_COUNT);
    expect("send tag -7", MPI_Send(&v, 1, MPI_INT, right, -7, MPI_COMM_WORLD), MPI_ERR_TAG);
    expect("send tag MPI_ANY_TAG", MPI_Send(&v, 1, MPI_INT, right, MPI_ANY_TAG, MPI_COMM_WORLD),
           MPI_ERR_TAG);
    expect("recv tag -7", MPI_Recv(&v, 1, MPI_INT, left, -7, MPI_COMM_WORLD, &st), MPI_ERR_TAG);
    CHECK(v == 5, "a failed receive wrote to its buffer");

    /* MPI_TAG_UB: present, at least 32767, and a valid tag */
    int* tag_ub = NULL;
    int flag = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &flag);
    CHECK(flag && tag_ub != NULL && *tag_ub >= 32767, "MPI_TAG_UB");
    say("tag_ub ok");
    int got = -1;
    expect("sendrecv with tag MPI_TAG_UB",
           MPI_Sendrecv(&rank, 1, MPI_INT, right, *tag_ub, &got, 1, MPI_INT, left, *tag_ub,
                        MPI_COMM_WORLD, &st),
           MPI_SUCCESS);
    CHECK(got == left && st.MPI_TAG == *tag_ub && st.MPI_SOURCE == left,
          "message with tag MPI_TAG_UB");

    /* the truncated receives delivered nothing past their buffers; traffic still flows */
    MPI_Barrier(MPI_COMM_WORLD);
    int sum = 0;
    expect("allreduce afterwards", MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
           MPI_SUCCESS);
    CHECK(sum == size * (size - 1) / 2, "allreduce afterwards");
    say("OK");
    MPI_Finalize();
    return 0;
}
