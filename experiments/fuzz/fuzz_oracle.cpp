// The oracle of the syscall fuzzer (docs/robustness.md): it listens on every channel the
// fuzzer might reach, one thread blocked on each, and reports each message the run's
// capabilities and policy should have stopped as a violation:
//   sealed endpoint, quiet notification: nobody holds a send capability; anything arriving
//   is a violation — except, on sealed, a message sent to the fuzzer's thread id after it
//   bound sealed (it holds the receive right) as its inbox.
//   open endpoint: only the fuzzer's capability, badged open_badge, can send; another badge
//   or a kernel-set tag bit (by thread id, redirected) is a forged message. Calls are
//   answered, with the string and map items MR0..MR2 ask for (so replies land in the
//   fuzzer's hostile receive buffers).
//   inbox (bound to the main thread's id): messages by thread id must carry the by-thread-id
//   bit and the fuzzer's thread id as badge (no one may pose as another thread).
//   bell: the signalled word must be the fuzzer's badge bell_badge.
//   MPI_COMM_WORLD (rank 1): with --deny-world the run's rights table denies rank 0 -> 1 and
//   the policy enforces it, so every message received is a violation; any message must come
//   from rank 0 (the only other member).
//
// usage: fuzz_oracle [--deny-world]     (a daemon: the fuzzer's end ends the run)
#include <string.h>

#include "abi/comm.hpp"
#include "experiments/fuzz/fuzz.hpp"

using namespace ipclab;
using fuzz::Line;

namespace {

constexpr unsigned max_reported = 20; // violation lines printed; all are counted
constexpr uint64_t world_buffer_bytes = 65536;

struct Channel {
    const char* name;
    uint64_t messages = 0;
    uint64_t violations = 0;
};

Channel ch_open{"open"}, ch_sealed{"sealed"}, ch_inbox{"inbox"}, ch_quiet{"quiet"}, ch_bell{"bell"},
    ch_world{"world"}, ch_world_coll{"world-collective"};
Channel* const channels[] = {&ch_open, &ch_sealed, &ch_inbox, &ch_quiet, &ch_bell, &ch_world, &ch_world_coll};

bool deny_world = false;
volatile uint64_t fuzzer_tid = 0;
unsigned reported = 0;

alignas(16) char stacks[6][16384];
alignas(4096) char scratch[8 * 4096]; // what the oracle's replies carry
char world_buffers[2][world_buffer_bytes];

uint64_t total(uint64_t Channel::*field) {
    uint64_t n = 0;
    for (const Channel* c : channels) n += c->*field;
    return n;
}

void violation(Channel& c, const char* what, uint64_t badge, uint64_t detail) {
    ++c.violations;
    if (reported++ >= max_reported) return;
    Line("violation").str("channel", c.name).str("what", what).num("badge", badge).hex("detail", detail).emit();
}

/// Answers a call on "open" as the fuzzer's MR0..MR2 ask: MR0 bits 0..6 the reply's length
/// in message registers, bit 7 a string item of MR1 & 0x1ffff bytes, bit 8 a map item of
/// MR2 & 7 pages (writable if bit 9). The reply's status is the fuzzer's business.
void answer(const Received& m) {
    Utcb& u = utcb();
    const uint64_t spec = m.message.mr[0];
    Message reply{Message_tag{0x0a, unsigned(spec & 0x7f) > 64 ? 64u : unsigned(spec & 0x7f)}, {}};
    if (spec & 0x80) {
        reply.tag = reply.tag.with(Message_tag::string_bit, true);
        u.send_string_addr = reinterpret_cast<uint64_t>(scratch);
        u.send_string_bytes = m.message.mr[1] & 0x1ffff;
    }
    if (spec & 0x100) {
        reply.tag = reply.tag.with(Message_tag::map_bit, true);
        u.send_map_addr = reinterpret_cast<uint64_t>(scratch);
        u.send_map_pages = m.message.mr[2] & 7;
        u.send_map_writable = (spec >> 9) & 1;
    }
    // A reply the kernel refuses (a string over the limit, a bad map item) leaves the caller
    // waiting: answer it plainly then, as a server must.
    if (ipc_reply(reply) != Status::ok) (void)ipc_reply(Message{Message_tag{0x0b, 0}, {}});
}

void serve_open() {
    for (;;) {
        Received m = ipc_recv(fuzz::oracle_open);
        if (m.status != Status::ok) continue;
        ++ch_open.messages;
        if (m.badge != fuzz::open_badge) violation(ch_open, "badge", m.badge, m.message.tag.raw());
        if (m.message.tag.by_thread_id() || m.message.tag.redirected()) violation(ch_open, "tag", m.badge, m.message.tag.raw());
        if (m.message.tag.label() == fuzz::label_hello) fuzzer_tid = m.message.mr[0];
        if (m.message.tag.label() == fuzz::label_done) {
            const uint64_t violations = total(&Channel::violations), messages = total(&Channel::messages);
            Line l("oracle");
            l.num("messages", messages).num("violations", violations);
            for (const Channel* c : channels) l.num(c->name, c->messages);
            l.emit();
            (void)ipc_reply(Message{Message_tag{0x0d, 2}, {violations, messages}});
            continue;
        }
        answer(m); // a plain send has no reply capability: the reply fails, harmlessly
    }
}

void serve_sealed(uint64_t) {
    for (;;) {
        Received m = ipc_recv(fuzz::oracle_sealed);
        if (m.status != Status::ok) continue;
        ++ch_sealed.messages;
        // The fuzzer may bind "sealed" (it holds the receive right) as its thread's inbox:
        // then a send to its thread id arrives here, legitimately. Anything else needed a
        // send capability nobody has.
        if (!m.message.tag.by_thread_id() || m.badge != fuzzer_tid)
            violation(ch_sealed, "message", m.badge, m.message.tag.raw());
        (void)ipc_reply(Message{Message_tag{0, 0}, {}});
    }
}

void serve_inbox(uint64_t) {
    if (ipc_bind_inbox(fuzz::oracle_inbox) != Status::ok) Line("oracle_error").str("what", "bind inbox").emit();
    for (;;) {
        Received m = ipc_recv(fuzz::oracle_inbox);
        if (m.status != Status::ok) continue;
        ++ch_inbox.messages;
        if (!m.message.tag.by_thread_id() || m.message.tag.redirected()) violation(ch_inbox, "tag", m.badge, m.message.tag.raw());
        if (m.badge != fuzzer_tid) violation(ch_inbox, "sender", m.badge, fuzzer_tid);
        (void)ipc_reply(Message{Message_tag{0, 0}, {}});
    }
}

void serve_quiet(uint64_t) {
    for (;;) {
        Notified n = notify_wait(fuzz::oracle_quiet);
        if (n.status != Status::ok) continue;
        ++ch_quiet.messages;
        violation(ch_quiet, "signal", n.word, n.word);
    }
}

void serve_bell(uint64_t) {
    for (;;) {
        Notified n = notify_wait(fuzz::oracle_bell);
        if (n.status != Status::ok) continue;
        ++ch_bell.messages;
        if (n.word & ~fuzz::bell_badge) violation(ch_bell, "badge", n.word, n.word);
    }
}

/// Receives on MPI_COMM_WORLD from any source with any tag, in context `context`.
void serve_world(uint64_t context) {
    Channel& c = context ? ch_world_coll : ch_world;
    for (;;) {
        Syscall_registers r;
        r.r[0] = fuzz::oracle_world;
        r.r[1] = uint64_t(comm_any_source);
        r.r[2] = uint64_t(comm_any_tag);
        r.r[3] = reinterpret_cast<uint64_t>(world_buffers[context]);
        r.r[4] = world_buffer_bytes;
        r.r[5] = context;
        Status s = sys::comm_recv(r);
        if (s != Status::ok && s != Status::truncated) {
            if (s == Status::invalid_capability) return; // the communicator is gone
            continue;
        }
        ++c.messages;
        if (deny_world) violation(c, "rights table", r.r[0], r.r[1]);
        if (r.r[0] != 0) violation(c, "source", r.r[0], r.r[1]);
    }
}

} // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--deny-world")) {
            deny_world = true;
        } else {
            Line("usage").str("error", "fuzz_oracle [--deny-world]").emit();
            return 2;
        }
    }
    void (*const servers[])(uint64_t) = {serve_sealed, serve_inbox, serve_quiet, serve_bell, serve_world,
                                          serve_world};
    const uint64_t arguments[] = {0, 0, 0, 0, 0, 1};
    for (unsigned i = 0; i < 6; ++i) {
        uint64_t id;
        if (thread_create(servers[i], stacks[i] + sizeof stacks[i], 100, arguments[i], id) != Status::ok) {
            Line("oracle_error").str("what", "thread_create").num("thread", i).emit();
            return 1;
        }
    }
    serve_open();
}
