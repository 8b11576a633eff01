// The communicator: the kernel object behind an MPI communicator (DESIGN "The MPI
// communicator layer"; the study's proposal, seeds/000): its group (rank -> task), a context
// id, a rights table (which rank may send to which), a send timeout, and per-rank matching
// queues. A blocking send is a rendezvous with one copy from the sender's buffer to the
// receiver's (MPI-3.1 section 3.4, the synchronous mode, which is also a valid MPI_Send); a
// non-blocking send, where the run's policy offers it, is copied into a kernel buffer
// charged to its sender (eager, up to comm_eager_bytes) or waits in the sender's buffer
// (rendezvous).
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "ipc/object.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "mpi_shim/kernel/comm_op.hpp"
#include "mpi_shim/kernel/unexpected_queue.hpp"
#include "task/thread.hpp"

namespace kernel {

using ipclab::Status;

class Task;

class Communicator final : public Kobject {
public:
    static constexpr Object_type object_type = Object_type::communicator;

    /// A communicator for `size` ranks (members set with set_member), every rank allowed to
    /// send to every rank, with the run policy's send timeout, charged to `account`.
    /// Errors: invalid_argument (size 0), out_of_memory.
    static Communicator* create(uint32_t size, Account& account, Status& status);
    /// Frees the communicator (its last capability went): pending operations fail with
    /// invalid_capability, kernel-buffered messages are discarded.
    static void destroy(Communicator* c);

    uint32_t size() const { return m_size; }
    uint32_t context_id() const { return m_context_id; }
    /// The task behind `rank`. A rank is a task, not a thread: its capability is the task's,
    /// and it stays a member until the task ends, whichever of its threads come and go.
    void set_member(int32_t rank, Task& t) { m_members[rank] = &t; }
    /// Whether `rank` (in range) is `task`: a capability badged with a rank proves nothing
    /// if it was passed to another task.
    bool is_member(int32_t rank, const Task& task) const { return m_members[rank] == &task; }

    /// For the fast path (comm_fastpath.cpp), which peeks at the queues' heads.
    Task* member(int32_t rank) const { return m_members[rank]; }
    /// The first unexpected message at `rank` a receive from `source` (or comm_any_source)
    /// could match first; the caller checks the match.
    Comm_op* first_unexpected(int32_t rank, int32_t source) const {
        const Unexpected_queue& q = m_mailboxes[rank].unexpected;
        return source == ipclab::comm_any_source ? q.front() : q.first_from(source);
    }
    Comm_op* first_posted(int32_t rank) const { return m_mailboxes[rank].posted.front(); }
    /// Queues a receive nothing matched (the fast path checked the unexpected queue is empty).
    void post_receive(Comm_op& op) { enqueue(m_mailboxes[op.rank].posted, op); }
    /// Queues a send no receive matched (the fast path checked none is posted, nobody probes).
    void post_send(Comm_op& op) { queue_unexpected(m_mailboxes[op.peer], op); }
    bool has_probers(int32_t rank) const { return !m_mailboxes[rank].probers.empty(); }

    /// Rights table: whether rank `from` may send to rank `to` (both in range).
    bool may_send(int32_t from, int32_t to) const;
    /// Allows or denies sends from `from` to `to`; -1 stands for every rank.
    /// Errors: out_of_memory (the first denial allocates the table).
    Status set_right(int32_t from, int32_t to, bool allowed);

    /// Kernel bytes that rank `from`'s non-blocking sends hold on rank `to`'s queue now: each
    /// eager message (payload and operation) and each queued rendezvous request (its
    /// operation). A walk of `to`'s unexpected messages, for policies that bound it.
    uint64_t buffered_bytes(int32_t from, int32_t to) const;

    /// Virtual ns a blocking send may wait for its receive (timeout_infinite: no limit).
    uint64_t send_timeout() const { return m_send_timeout; }
    void set_send_timeout(uint64_t ns) { m_send_timeout = ns; }

    /// Blocking send of `self`: `op` (kind send, rank, peer = destination, tag, context,
    /// buffer, bytes, task) is validated and allowed. Returns when the receiver has the
    /// message. Errors: partner_dead (the destination ended), timed_out (the send timeout
    /// passed; the communicator aborted the send), send_aborted (abort_sends), invalid_pointer.
    Status send(Thread& self, Comm_op& op);
    /// Blocking receive of `self` into `op` (kind receive; peer = source or any, tag or any)
    /// with a deadline (0: none). On success op holds the envelope received (peer = source,
    /// tag) and bytes = length copied. Errors: truncated (the message was longer than the
    /// buffer: its prefix was delivered), partner_dead (the named source ended),
    /// timed_out, invalid_pointer.
    Status receive(Thread& self, Comm_op& op, uint64_t deadline);
    /// comm_recv with a zero timeout: as receive() when a message is there, else would_block.
    Status try_receive(Comm_op& op);
    /// Starts a send of the validated `op`: returns true when it completed at once (it met a
    /// posted receive, or the destination is dead; op.result says how). Otherwise `op` is
    /// queued if `queue`, and left alone if not (the caller makes an eager message of it).
    bool start_send(Comm_op& op, bool queue);
    /// Queues an eager send: `op` and its payload `op.data` are kernel memory charged to
    /// the sender task, which this pins until the message is received or discarded.
    void queue_eager(Comm_op& op);
    /// Starts a non-blocking receive: matches the first unexpected message or is queued.
    void start_receive(Comm_op& op);
    /// Waits until `op`, a request of `self`, is done, or `deadline` (0: none) passes.
    /// Errors: timed_out.
    Status wait(Thread& self, Comm_op& op, uint64_t deadline);
    /// The envelope of the first unexpected message for `op` (kind receive) without
    /// receiving it: on success op.peer, op.tag, op.bytes describe it. `block`: wait for
    /// one (until `deadline`, 0: none). Errors: would_block, timed_out, partner_dead.
    Status probe(Thread& self, Comm_op& op, bool block, uint64_t deadline);
    /// Removes a pending `op` from its queue (its request is freed, its task is ending).
    void withdraw(Comm_op& op);
    /// Ends a blocked thread's wait (it timed out or is dying); withdraws its operation.
    void cancel(Thread& t);

    /// Breaks down every send pending towards `rank` (the study's starvation fix): senders
    /// fail with `why` (send_aborted, partner_dead), eager messages are discarded. Returns
    /// how many sends were aborted.
    uint64_t abort_sends(int32_t rank, Status why);
    /// `task`, a member at `rank`, ended: sends to it are aborted with partner_dead, and
    /// receives naming it fail unless a message of it is still queued. Nothing happens
    /// unless `rank` really is `task`'s.
    void member_ended(int32_t rank, const Task& task);
    /// MPI_Abort: ends every member task with `code` (the caller's task last).
    void abort(long code);

    /// comm_create: joins (or starts) the creation of a communicator from `group`
    /// (`count` ranks of this one, in new-rank order) under `key` by `rank` of this one.
    /// Returns the new communicator with one reference for the caller, who installs its
    /// capability and then releases that reference; sets `new_rank`. Errors: invalid_argument (caller not in the group, a rank twice), invalid_rank,
    /// out_of_memory.
    Communicator* join_creation(int32_t rank, const int32_t* group, uint32_t count, uint64_t key,
                                int32_t& new_rank, Status& status);

private:
    Communicator(uint32_t size, uint32_t context_id, Account& account);

    /// Per-rank matching state: messages sent to the rank not yet received (arrival
    /// order), the rank's posted receives (post order), and threads probing for a message.
    struct Mailbox {
        Unexpected_queue unexpected;
        List<Comm_op, &Comm_op::link> posted;
        List<Thread, &Thread::ipc_link> probers;
    };
    struct Creation; // a comm_create under way (communicator_create.cpp)

    /// Copies `send` into `receive`'s buffer, completes both.
    static void deliver(Comm_op& send, Comm_op& receive);
    /// Marks `op` done with `result`: wakes its waiter; an eager message is freed.
    static void complete(Comm_op& op, Status result);
    /// Queues `op` on `list` of this communicator.
    void enqueue(List<Comm_op, &Comm_op::link>& list, Comm_op& op);
    /// Queues the send `op` on `box`'s unexpected messages.
    void queue_unexpected(Mailbox& box, Comm_op& op) {
        op.comm = this;
        box.unexpected.push_back(op, m_size, m_account);
    }
    void wake_probers(Mailbox& box);
    /// Blocks `self` until `op` is done or the deadline passes.
    Status block_on(Thread& self, Comm_op& op, Thread_state state, uint64_t deadline);
    /// Receives naming `rank` as their source fail with partner_dead, unless a message of
    /// the rank can still match them.
    void fail_receives_from(int32_t rank);
    /// Creations under way (communicator_create.cpp): a member that ended will never join;
    /// drop every record (the communicator is going).
    void creations_member_ended(int32_t rank, const Task& task);
    void drop_creations();
    static void free_creation(Creation* c);

    uint32_t m_size;
    uint32_t m_context_id;
    uint64_t m_send_timeout;
    Account& m_account;
    Task** m_members = nullptr;   ///< rank -> task; nullptr once the task has ended
    Mailbox* m_mailboxes = nullptr;
    uint8_t* m_rights = nullptr;  ///< size x size bits, bit set = denied; nullptr: all allowed
    Creation* m_creations = nullptr;
};

} // namespace kernel
