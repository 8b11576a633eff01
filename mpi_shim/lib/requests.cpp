// Non-blocking point-to-point communication and its completion (MPI-3.1 sections 3.7-3.9),
// buffered mode, and ipclab's MPIX_ calls. A non-blocking send exists only where the run's
// policy offers it: otherwise MPI_Isend fails with MPI_ERR_UNSUPPORTED_OPERATION and is
// never turned into a blocking send.
#include <stdlib.h>
#include <string.h>

#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// What an MPI_Request handle (index + 1) stands for.
struct Request {
    enum class Kind : uint8_t { unused, done, kernel, detached } kind = Kind::unused;
    bool receive = false;
    MPI_Comm comm = MPI_COMM_NULL;
    uint64_t kernel_handle = 0;  ///< kind kernel: the comm_wait handle
    MPI_Status status{};         ///< kind done: the outcome
    void* bsend_copy = nullptr;  ///< buffered mode: the copy the kernel sends from
    long long bsend_bytes = 0;   ///< its share of the attached buffer
};

Request* requests = nullptr;
int request_count = 0;

/// Bytes attached with MPI_Buffer_attach and how much buffered sends use now.
void* attached_buffer = nullptr;
int attached_bytes = 0;
long long attached_used = 0;

/// No unused request below this index: the search for a free one starts here, so a program
/// that keeps many requests outstanding pays O(1) per new one, not a scan of them all.
int first_maybe_unused = 0;

int new_request(MPI_Request* handle) {
    for (int i = first_maybe_unused; i < request_count; ++i) {
        if (requests[i].kind == Request::Kind::unused) {
            requests[i] = Request{};
            *handle = i + 1;
            first_maybe_unused = i + 1;
            return MPI_SUCCESS;
        }
    }
    int grown = request_count ? request_count * 2 : 64;
    auto* bigger = static_cast<Request*>(realloc(requests, size_t(grown) * sizeof(Request)));
    if (!bigger) return MPI_ERR_NO_MEM;
    for (int i = request_count; i < grown; ++i) bigger[i] = Request{};
    requests = bigger;
    *handle = request_count + 1;
    first_maybe_unused = request_count + 1;
    request_count = grown;
    return MPI_SUCCESS;
}

Request* find(MPI_Request handle) {
    if (handle <= 0 || handle > request_count) return nullptr;
    Request* r = &requests[handle - 1];
    return r->kind == Request::Kind::unused || r->kind == Request::Kind::detached ? nullptr : r;
}

void release(Request& r) {
    if (r.bsend_copy) {
        free(r.bsend_copy);
        r.bsend_copy = nullptr;
        attached_used -= r.bsend_bytes;
    }
    r.kind = Request::Kind::unused;
    const int index = int(&r - requests);
    if (index < first_maybe_unused) first_maybe_unused = index;
}

/// The status of MPI_REQUEST_NULL or an inactive request (MPI-3.1 section 3.7.3).
void empty_status(MPI_Status* status) { set_status(status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0); }

/// Completes `r` when it is done, waiting up to `timeout` (abi/timeout.hpp) for it. Returns
/// whether it completed; the outcome is then in r.status, its error class in MPI_ERROR.
bool progress(Request& r, uint64_t timeout) {
    if (r.kind != Request::Kind::kernel) return true;
    Syscall_registers w;
    w.r[0] = r.kernel_handle;
    w.timeout = timeout;
    Status s = sys::comm_wait(w);
    if (s == Status::would_block || s == Status::timed_out) return false;
    if (r.receive)
        set_received(&r.status, s, w);
    else
        set_status(&r.status, MPI_ANY_SOURCE, MPI_ANY_TAG, error_class(s), 0);
    r.kind = Request::Kind::done;
    return true;
}

bool progress(Request& r, bool block) { return progress(r, block ? timeout_infinite : timeout_zero); }

/// Starts a non-blocking send of `bytes` from `buf`; `flags` or-ed into the context.
int start_send(const void* buf, size_t bytes, int dest, int tag, MPI_Comm comm, uint64_t flags, MPI_Request* handle,
               void* bsend_copy = nullptr) {
    Comm* c = lookup(comm);
    if (int e = new_request(handle)) return e;
    Request& r = requests[*handle - 1];
    r.comm = comm;
    r.bsend_copy = bsend_copy;
    if (dest == MPI_PROC_NULL) {
        r.kind = Request::Kind::done;
        set_status(&r.status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
        return MPI_SUCCESS;
    }
    Syscall_registers s;
    s.r[0] = c->slot;
    s.r[1] = uint64_t(int64_t(dest));
    s.r[2] = uint64_t(int64_t(tag));
    s.r[3] = reinterpret_cast<uint64_t>(buf);
    s.r[4] = bytes;
    s.r[5] = context_point_to_point | flags;
    Status st = sys::comm_isend(s);
    if (st != Status::ok) {
        r.bsend_copy = nullptr; // the caller frees it
        release(r);
        *handle = MPI_REQUEST_NULL;
        return error_class(st);
    }
    r.kernel_handle = s.r[0];
    r.kind = s.r[0] ? Request::Kind::kernel : Request::Kind::done; // 0: delivered or buffered already
    if (r.kind == Request::Kind::done) set_status(&r.status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
}

int isend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request* request,
          uint64_t flags, const char* function) {
    if (!request) return raise(comm, MPI_ERR_REQUEST, function);
    *request = MPI_REQUEST_NULL;
    if (!lookup(comm)) return raise(comm, MPI_ERR_COMM, function);
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, function);
    return raise(comm, start_send(buf, bytes, dest, tag, comm, flags, request), function);
}

/// Finishes request `index` for a Wait/Test family call: copies its status, frees it.
int finish(MPI_Request* handle, MPI_Status* status) {
    Request& r = requests[*handle - 1];
    if (status) *status = r.status;
    const int error = r.status.MPI_ERROR;
    const MPI_Comm comm = r.comm;
    release(r);
    *handle = MPI_REQUEST_NULL;
    return error ? raise(comm, error, "MPI_Wait") : MPI_SUCCESS;
}

} // namespace

} // namespace ipclab::mpi

using namespace ipclab::mpi;

extern "C" int MPI_Isend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                         MPI_Request* request) {
    return isend(buf, count, datatype, dest, tag, comm, request, 0, "MPI_Isend");
}

extern "C" int MPI_Irsend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                          MPI_Request* request) {
    return isend(buf, count, datatype, dest, tag, comm, request, 0, "MPI_Irsend");
}

extern "C" int MPI_Issend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                          MPI_Request* request) {
    return isend(buf, count, datatype, dest, tag, comm, request, ipclab::comm_isend_synchronous, "MPI_Issend");
}

extern "C" int MPI_Ibsend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                          MPI_Request* request) {
    // Buffered mode (MPI-3.1 section 3.6): the message is copied into the attached buffer's
    // allowance and sent from the copy, so the call completes locally.
    if (!request) return raise(comm, MPI_ERR_REQUEST, "MPI_Ibsend");
    *request = MPI_REQUEST_NULL;
    if (!lookup(comm)) return raise(comm, MPI_ERR_COMM, "MPI_Ibsend");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Ibsend");
    if (attached_used + (long long)bytes + MPI_BSEND_OVERHEAD > attached_bytes)
        return raise(comm, MPI_ERR_BUFFER, "MPI_Ibsend (attached buffer too small)");
    void* copy = malloc(bytes ? bytes : 1);
    if (!copy) return raise(comm, MPI_ERR_NO_MEM, "MPI_Ibsend");
    memcpy(copy, buf, bytes);
    int e = start_send(copy, bytes, dest, tag, comm, 0, request, copy);
    if (e) {
        free(copy);
        return raise(comm, e, "MPI_Ibsend");
    }
    requests[*request - 1].bsend_bytes = (long long)bytes + MPI_BSEND_OVERHEAD;
    attached_used += requests[*request - 1].bsend_bytes;
    return MPI_SUCCESS;
}

extern "C" int MPI_Bsend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    MPI_Request request;
    int e = MPI_Ibsend(buf, count, datatype, dest, tag, comm, &request);
    if (e != MPI_SUCCESS || request == MPI_REQUEST_NULL) return e;
    Request& r = requests[request - 1];
    if (r.kind == Request::Kind::kernel)
        r.kind = Request::Kind::detached; // completes in the background; MPI_Buffer_detach waits
    else
        release(r);
    return MPI_SUCCESS;
}

extern "C" int MPI_Buffer_attach(void* buffer, int size) {
    if (size < 0) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Buffer_attach");
    if (attached_buffer) return raise(MPI_COMM_WORLD, MPI_ERR_BUFFER, "MPI_Buffer_attach (a buffer is attached)");
    attached_buffer = buffer;
    attached_bytes = size;
    return MPI_SUCCESS;
}

extern "C" int MPI_Buffer_detach(void* buffer_addr, int* size) {
    // Waits until every buffered send has been received (MPI-3.1 section 3.6.1).
    for (int i = 0; i < request_count; ++i) {
        Request& r = requests[i];
        if (!r.bsend_copy) continue;
        if (r.kind == Request::Kind::detached) {
            r.kind = Request::Kind::kernel;
            progress(r, true);
            release(r);
        }
    }
    *static_cast<void**>(buffer_addr) = attached_buffer;
    *size = attached_bytes;
    attached_buffer = nullptr;
    attached_bytes = 0;
    return MPI_SUCCESS;
}

extern "C" int MPI_Irecv(void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                         MPI_Request* request) {
    if (!request) return raise(comm, MPI_ERR_REQUEST, "MPI_Irecv");
    *request = MPI_REQUEST_NULL;
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Irecv");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Irecv");
    if (int e = new_request(request)) return raise(comm, e, "MPI_Irecv");
    Request& r = requests[*request - 1];
    r.comm = comm;
    r.receive = true;
    if (source == MPI_PROC_NULL) {
        r.kind = Request::Kind::done;
        set_status(&r.status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
        return MPI_SUCCESS;
    }
    ipclab::Syscall_registers s;
    s.r[0] = c->slot;
    s.r[1] = uint64_t(int64_t(source));
    s.r[2] = uint64_t(int64_t(tag));
    s.r[3] = reinterpret_cast<uint64_t>(buf);
    s.r[4] = bytes;
    s.r[5] = ipclab::context_point_to_point;
    ipclab::Status st = ipclab::sys::comm_irecv(s);
    if (st != ipclab::Status::ok) {
        release(r);
        *request = MPI_REQUEST_NULL;
        return raise(comm, error_class(st), "MPI_Irecv");
    }
    r.kind = Request::Kind::kernel;
    r.kernel_handle = s.r[0];
    return MPI_SUCCESS;
}

extern "C" int MPI_Wait(MPI_Request* request, MPI_Status* status) {
    if (!request) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Wait");
    if (*request == MPI_REQUEST_NULL) {
        empty_status(status);
        return MPI_SUCCESS;
    }
    Request* r = find(*request);
    if (!r) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Wait");
    progress(*r, true);
    return finish(request, status);
}

extern "C" int MPI_Test(MPI_Request* request, int* flag, MPI_Status* status) {
    if (!request || !flag) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Test");
    *flag = 1;
    if (*request == MPI_REQUEST_NULL) {
        empty_status(status);
        return MPI_SUCCESS;
    }
    Request* r = find(*request);
    if (!r) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Test");
    if (!progress(*r, false)) {
        *flag = 0;
        return MPI_SUCCESS;
    }
    return finish(request, status);
}

extern "C" int MPI_Request_get_status(MPI_Request request, int* flag, MPI_Status* status) {
    if (!flag) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Request_get_status");
    *flag = 1;
    if (request == MPI_REQUEST_NULL) {
        empty_status(status);
        return MPI_SUCCESS;
    }
    Request* r = find(request);
    if (!r) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Request_get_status");
    *flag = progress(*r, false); // a completed request keeps its outcome until waited on
    if (*flag && status) *status = r->status;
    return MPI_SUCCESS;
}

extern "C" int MPI_Request_free(MPI_Request* request) {
    if (!request) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Request_free");
    Request* r = find(*request);
    if (!r) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Request_free");
    // MPI-3.1 section 3.7.3: the operation still completes; nobody will ask about it. A
    // kernel request is left to finish (its kernel memory goes when the task ends).
    if (r->kind == Request::Kind::kernel)
        r->kind = Request::Kind::detached;
    else
        release(*r);
    *request = MPI_REQUEST_NULL;
    return MPI_SUCCESS;
}

extern "C" int MPI_Waitall(int count, MPI_Request requests_[], MPI_Status statuses[]) {
    if (count < 0 || (count && !requests_)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Waitall");
    bool failed = false;
    for (int i = 0; i < count; ++i) {
        MPI_Status ignored;
        MPI_Status* st = statuses ? &statuses[i] : &ignored;
        if (requests_[i] == MPI_REQUEST_NULL) {
            empty_status(st);
            continue;
        }
        Request* r = find(requests_[i]);
        if (!r) {
            set_status(st, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_ERR_REQUEST, 0);
            failed = true;
            continue;
        }
        progress(*r, true);
        *st = r->status;
        failed |= st->MPI_ERROR != MPI_SUCCESS;
        release(*r);
        requests_[i] = MPI_REQUEST_NULL;
    }
    // MPI-3.1 section 3.7.5: errors are reported per request in the statuses.
    return failed ? raise(MPI_COMM_WORLD, MPI_ERR_IN_STATUS, "MPI_Waitall") : MPI_SUCCESS;
}

extern "C" int MPI_Testall(int count, MPI_Request requests_[], int* flag, MPI_Status statuses[]) {
    if (count < 0 || !flag || (count && !requests_)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Testall");
    *flag = 1;
    for (int i = 0; i < count; ++i) {
        Request* r = requests_[i] == MPI_REQUEST_NULL ? nullptr : find(requests_[i]);
        if (r && !progress(*r, false)) *flag = 0;
    }
    if (!*flag) return MPI_SUCCESS; // completes all or none
    return MPI_Waitall(count, requests_, statuses);
}

namespace {

/// Index of a completed request among `requests_` (polling; the kernel has no wait-any),
/// MPI_UNDEFINED when none is active. Blocks (wait) or not (test).
int any_done(int count, MPI_Request requests_[], bool block) {
    for (;;) {
        bool active = false;
        for (int i = 0; i < count; ++i) {
            Request* r = requests_[i] == MPI_REQUEST_NULL ? nullptr : find(requests_[i]);
            if (!r) continue;
            active = true;
            if (progress(*r, false)) return i;
        }
        if (!active) return MPI_UNDEFINED;
        if (!block) return -1;
        // Sleep on the first active request for a while rather than spin.
        for (int i = 0; i < count; ++i) {
            Request* r = requests_[i] == MPI_REQUEST_NULL ? nullptr : find(requests_[i]);
            if (!r || r->kind != Request::Kind::kernel) continue;
            if (progress(*r, uint64_t(100'000))) return i; // 100 us of virtual time
            break;
        }
    }
}

} // namespace

extern "C" int MPI_Waitany(int count, MPI_Request requests_[], int* index, MPI_Status* status) {
    if (count < 0 || !index || (count && !requests_)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Waitany");
    *index = any_done(count, requests_, true);
    if (*index == MPI_UNDEFINED) {
        empty_status(status);
        return MPI_SUCCESS;
    }
    return finish(&requests_[*index], status);
}

extern "C" int MPI_Testany(int count, MPI_Request requests_[], int* index, int* flag, MPI_Status* status) {
    if (count < 0 || !index || !flag || (count && !requests_)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Testany");
    int i = any_done(count, requests_, false);
    *flag = i != -1;
    *index = i == -1 ? MPI_UNDEFINED : i;
    if (i == MPI_UNDEFINED) {
        empty_status(status);
        return MPI_SUCCESS;
    }
    return i == -1 ? MPI_SUCCESS : finish(&requests_[i], status);
}

namespace {

int some(int incount, MPI_Request requests_[], int* outcount, int indices[], MPI_Status statuses[], bool block) {
    int first = any_done(incount, requests_, block);
    if (first == MPI_UNDEFINED) {
        *outcount = MPI_UNDEFINED;
        return MPI_SUCCESS;
    }
    *outcount = 0;
    if (first == -1) return MPI_SUCCESS;
    int error = MPI_SUCCESS;
    for (int i = first; i < incount; ++i) {
        Request* r = requests_[i] == MPI_REQUEST_NULL ? nullptr : find(requests_[i]);
        if (!r || !progress(*r, false)) continue;
        MPI_Status ignored;
        MPI_Status* st = statuses ? &statuses[*outcount] : &ignored;
        indices[*outcount] = i;
        ++*outcount;
        *st = r->status;
        if (st->MPI_ERROR) error = MPI_ERR_IN_STATUS;
        release(*r);
        requests_[i] = MPI_REQUEST_NULL;
    }
    return error ? raise(MPI_COMM_WORLD, error, block ? "MPI_Waitsome" : "MPI_Testsome") : MPI_SUCCESS;
}

} // namespace

extern "C" int MPI_Waitsome(int incount, MPI_Request requests_[], int* outcount, int indices[], MPI_Status statuses[]) {
    if (incount < 0 || !outcount || (incount && (!requests_ || !indices)))
        return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Waitsome");
    return some(incount, requests_, outcount, indices, statuses, true);
}

extern "C" int MPI_Testsome(int incount, MPI_Request requests_[], int* outcount, int indices[], MPI_Status statuses[]) {
    if (incount < 0 || !outcount || (incount && (!requests_ || !indices)))
        return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Testsome");
    return some(incount, requests_, outcount, indices, statuses, false);
}

extern "C" int MPI_Cancel(MPI_Request* request) {
    // MPI-3.1 section 3.8.4: a pending operation is withdrawn (it then completes with
    // MPI_Test_cancelled true); one that already completed is left to complete normally.
    if (!request) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Cancel");
    Request* r = find(*request);
    if (!r) return raise(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Cancel");
    if (r->kind != Request::Kind::kernel) return MPI_SUCCESS;
    ipclab::Syscall_registers c;
    c.r[0] = r->kernel_handle;
    ipclab::Status s = ipclab::sys::comm_cancel(c);
    if (s != ipclab::Status::ok) return raise(r->comm, error_class(s), "MPI_Cancel");
    if (c.r[0] == 1) {
        set_status(&r->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
        r->status.ipclab_cancelled = 1;
        r->kind = Request::Kind::done;
    }
    return MPI_SUCCESS;
}

extern "C" int MPI_Test_cancelled(const MPI_Status* status, int* flag) {
    if (!status || !flag) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Test_cancelled");
    *flag = status->ipclab_cancelled;
    return MPI_SUCCESS;
}

extern "C" int MPIX_Comm_set_send_timeout(MPI_Comm comm, double seconds) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPIX_Comm_set_send_timeout");
    ipclab::Syscall_registers r;
    r.r[0] = c->slot;
    r.r[1] = seconds > 0 ? uint64_t(seconds * 1e9) + (seconds * 1e9 < 1) : 0; // 0: none
    return raise(comm, error_class(ipclab::sys::comm_set_send_timeout(r)), "MPIX_Comm_set_send_timeout");
}

extern "C" int MPIX_Comm_get_send_timeout(MPI_Comm comm, double* seconds) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPIX_Comm_get_send_timeout");
    if (!seconds) return raise(comm, MPI_ERR_ARG, "MPIX_Comm_get_send_timeout");
    ipclab::Syscall_registers r;
    r.r[0] = c->slot;
    ipclab::Status s = ipclab::sys::comm_info(r);
    if (s != ipclab::Status::ok) return raise(comm, error_class(s), "MPIX_Comm_get_send_timeout");
    *seconds = r.r[3] == ipclab::timeout_infinite ? 0.0 : double(r.r[3]) * 1e-9;
    return MPI_SUCCESS;
}

extern "C" int MPIX_Comm_abort_sends(MPI_Comm comm, int rank, int* aborted) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPIX_Comm_abort_sends");
    ipclab::Syscall_registers r;
    r.r[0] = c->slot;
    r.r[1] = uint64_t(int64_t(rank));
    ipclab::Status s = ipclab::sys::comm_abort_sends(r);
    if (s == ipclab::Status::ok && aborted) *aborted = int(r.r[0]);
    return raise(comm, error_class(s), "MPIX_Comm_abort_sends");
}

extern "C" int MPIX_Buffer_usage(long long* bytes_now, long long* bytes_peak) {
    ipclab::Syscall_registers r;
    ipclab::Status s = ipclab::sys::comm_buffer_usage(r);
    if (s != ipclab::Status::ok) return raise(MPI_COMM_WORLD, error_class(s), "MPIX_Buffer_usage");
    if (bytes_now) *bytes_now = (long long)r.r[0];
    if (bytes_peak) *bytes_peak = (long long)r.r[1];
    return MPI_SUCCESS;
}
