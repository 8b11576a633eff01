// MPI environment management (MPI-3.1 chapter 8): init, finalize, abort, versions, timers.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/capability.hpp"
#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

Phase phase = Phase::before_init;

} // namespace ipclab::mpi

using namespace ipclab::mpi;

extern "C" int MPI_Init(int*, char***) {
    if (phase != Phase::before_init) return raise(MPI_COMM_WORLD, MPI_ERR_OTHER, "MPI_Init (called twice)");
    ipclab::Syscall_registers r;
    r.r[0] = ipclab::slot_comm_world;
    ipclab::Status s = ipclab::sys::comm_info(r);
    if (s != ipclab::Status::ok) {
        fprintf(stderr, "ipclab MPI: MPI_Init: this task has no MPI_COMM_WORLD (%s); start it with "
                        "'scripts/ipclab mpirun'\n", ipclab::status_name(s));
        return MPI_ERR_OTHER;
    }
    phase = Phase::running;
    if (int e = init_communicators(int(r.r[0]), int(r.r[1]))) {
        phase = Phase::before_init;
        fprintf(stderr, "ipclab MPI: MPI_Init: cannot set up the communicators (error class %d)\n", e);
        return e;
    }
    return MPI_SUCCESS;
}

extern "C" int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
    // One thread per rank: MPI_THREAD_SINGLE is what this library provides (MPI-3.1 12.4.3).
    (void)required;
    int e = MPI_Init(argc, argv);
    if (e == MPI_SUCCESS && provided) *provided = MPI_THREAD_SINGLE;
    return e;
}

extern "C" int MPI_Query_thread(int* provided) {
    *provided = MPI_THREAD_SINGLE;
    return MPI_SUCCESS;
}

extern "C" int MPI_Is_thread_main(int* flag) {
    *flag = 1;
    return MPI_SUCCESS;
}

extern "C" int MPI_Get_processor_name(char* name, int* resultlen) {
    // Every rank runs on the one (virtual) machine.
    const char text[] = "ipclab";
    memcpy(name, text, sizeof text);
    *resultlen = int(sizeof text - 1);
    return MPI_SUCCESS;
}

extern "C" int MPI_Initialized(int* flag) {
    *flag = phase != Phase::before_init;
    return MPI_SUCCESS;
}

extern "C" int MPI_Finalize(void) {
    if (phase != Phase::running) return raise(MPI_COMM_WORLD, MPI_ERR_OTHER, "MPI_Finalize (not initialized)");
    // Every rank leaves together, as MPI_Finalize is collective over MPI_COMM_WORLD.
    int rc = MPI_Barrier(MPI_COMM_WORLD);
    phase = Phase::finalized;
    return rc;
}

extern "C" int MPI_Finalized(int* flag) {
    *flag = phase == Phase::finalized;
    return MPI_SUCCESS;
}

extern "C" int MPI_Abort(MPI_Comm comm, int errorcode) {
    // Ends every task of the communicator's group (MPI-3.1 section 8.7: a best attempt at
    // all of them). Before MPI_Init the world capability is still there to use.
    ipclab::Syscall_registers r;
    Comm* c = lookup(comm);
    r.r[0] = c ? c->slot : ipclab::slot_comm_world;
    r.r[1] = static_cast<uint64_t>(errorcode);
    (void)ipclab::sys::comm_abort(r);
    _Exit(errorcode ? errorcode : 1); // only without a communicator capability
}

extern "C" int MPI_Get_version(int* version, int* subversion) {
    *version = MPI_VERSION;
    *subversion = MPI_SUBVERSION;
    return MPI_SUCCESS;
}

extern "C" int MPI_Get_library_version(char* version, int* resultlen) {
    const char text[] = "ipclab MPI (communicator layer on the ipclab microkernel), MPI 3.1 subset";
    memcpy(version, text, sizeof text);
    *resultlen = int(sizeof text - 1);
    return MPI_SUCCESS;
}

extern "C" double MPI_Wtime(void) {
    // Under qemu -icount shift=0 the time stamp counter advances one per guest instruction,
    // i.e. one per virtual nanosecond.
    return double(__builtin_ia32_rdtsc()) * 1e-9;
}

extern "C" double MPI_Wtick(void) { return 1e-9; }
