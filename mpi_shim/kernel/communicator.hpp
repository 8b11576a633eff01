// The communicator: the kernel object behind an MPI communicator (DESIGN "The MPI
// communicator layer"): its group (rank -> thread), a context id, and per-rank matching
// queues. A blocking send is a rendezvous with one copy from the sender's buffer to the
// receiver's (MPI-3.1 section 3.4, synchronous mode semantics for MPI_Send).
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "ipc/object.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "task/thread.hpp"

namespace kernel {

using ipclab::Status;

class Task;

class Communicator final : public Kobject {
public:
    static constexpr Object_type object_type = Object_type::communicator;

    /// A communicator for `size` ranks (members set with set_member), charged to `account`.
    /// Errors: invalid_argument (size 0), out_of_memory.
    static Communicator* create(uint32_t size, uint32_t context_id, Account& account, Status& status);
    static void destroy(Communicator* c);

    uint32_t size() const { return m_size; }
    uint32_t context_id() const { return m_context_id; }
    /// The task behind `rank`. A rank is a task, not a thread: its capability is the task's,
    /// and it stays a member until the task ends, whichever of its threads come and go.
    void set_member(int32_t rank, Task& t) { m_members[rank] = &t; }

    /// Blocking send of `self`, whose request (rank = its rank, peer = destination, tag,
    /// context, buffer, bytes) is in self.comm and already validated. Completes when the
    /// matching receive has copied the message. Errors: partner_dead (the destination
    /// ended), invalid_pointer (copy failed).
    Status send(Thread& self);
    /// Blocking receive of `self` (self.comm: rank = its rank, peer = source or any, tag or
    /// any, context, buffer, capacity). On success self.comm holds the envelope received
    /// (peer = source, tag) and bytes = length copied. Errors: truncated (the message was
    /// longer than the buffer: its prefix was delivered), partner_dead (the named source
    /// ended), invalid_pointer.
    Status receive(Thread& self);
    /// Removes a blocked member's pending operation (it is dying).
    void cancel(Thread& t);
    /// `task`, a member at `rank`, ended: sends waiting for the rank and receives naming it
    /// fail with partner_dead. Nothing happens unless `rank` really is `task`'s.
    void member_ended(int32_t rank, const Task& task);
    /// MPI_Abort: ends every member task with `code` (the caller's task last).
    void abort(long code);

private:
    Communicator(uint32_t size, uint32_t context_id, Account& account)
        : Kobject(Object_type::communicator), m_size(size), m_context_id(context_id), m_account(account) {}

    /// Per-rank matching state: blocked senders towards the rank (arrival order) and the
    /// rank's own posted receive.
    struct Mailbox {
        List<Thread, &Thread::ipc_link> senders;
        Thread* receiver = nullptr;
    };

    /// Copies the message of `sender` into `receiver`'s buffer and sets the receiver's
    /// envelope and byte count; returns the receiver's status.
    static Status deliver(Thread& sender, Thread& receiver);

    uint32_t m_size;
    uint32_t m_context_id;
    Account& m_account;
    Task** m_members = nullptr; ///< rank -> task; nullptr once the task has ended
    Mailbox* m_mailboxes = nullptr;
};

} // namespace kernel
