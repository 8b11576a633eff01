// ipc_ops cases about what a message carries and in which order partners meet: send and
// receive both ways round, call with reply and reply_recv, 0..64 message registers, strings
// (long IPC) and bad pointers in them.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "experiments/tests/ipc_ops.hpp"

namespace ipc_ops {

namespace {

constexpr uint64_t junk = 0xdead0000;

// ---- Partner bodies (no C library) ----------------------------------------------------

/// Receives five registers: the fifth lands in this thread's own UTCB.
void receive_five(uint64_t i) {
    Received r = ipc_recv(slot_local);
    Utcb& u = utcb();
    probe[i].status = r.status;
    probe[i].tag = r.message.tag.raw();
    probe[i].id = reinterpret_cast<uint64_t>(&u);
    probe[i].value = u.mr[4];
    finish();
}

void answer_with_reply(uint64_t i) {
    Received r = ipc_recv(slot_local);
    probe[i].status = r.status;
    probe[i].value = r.message.mr[0];
    probe[i].status2 = ipc_reply(Message{Message_tag{0x5f, 1}, {r.message.mr[0] * 2}});
    probe[i].status3 = ipc_reply(Message{Message_tag{0, 0}, {}}); // the capability is spent
    finish();
}

void answer_with_reply_recv(uint64_t i) {
    Received r = ipc_recv(slot_local);
    r = ipc_reply_recv(slot_local, Message{Message_tag{1, 1}, {r.message.mr[0] + 100}});
    probe[i].status = r.status;
    probe[i].status2 = ipc_reply(Message{Message_tag{2, 1}, {r.message.mr[0] + 100}});
    finish();
}

// ---- Order and operations ---------------------------------------------------------------

void send_recv(const char* name, bool receiver_first) {
    clear_probes();
    spawn(receive_value, 0, receiver_first ? main_priority() : uint8_t(main_priority() - 10));
    if (receiver_first) let_partner_block();
    Status s = ipc_send(slot_local, Message{Message_tag{0x5e, 2}, {0x1111, 0x2222, junk, junk}});
    join();
    const Probe& p = probe[0];
    const Message_tag tag{p.tag};
    Case(name, s)
        .status("recv_status", p.status)
        .num("badge", p.badge)
        .num("label", tag.label())
        .num("length", tag.length())
        .num("mr0", p.mr[0])
        .num("mr1", p.mr[1])
        .num("mr2", p.mr[2])
        .num("mr3", p.mr[3])
        .want(s == Status::ok && p.status == Status::ok, "both sides ok")
        .want(p.badge == 0 && tag.label() == 0x5e && tag.length() == 2, "badge and tag")
        .want(p.mr[0] == 0x1111 && p.mr[1] == 0x2222, "message registers")
        .want(p.mr[2] == 0 && p.mr[3] == 0, "registers beyond the length read 0");
}

void partner_utcb() {
    clear_probes();
    spawn(receive_five, 0, main_priority());
    let_partner_block();
    Utcb& u = utcb();
    u.mr[4] = 0x4444;
    Status s = ipc_send(slot_local, Message{Message_tag{0x5e, 5}, {1, 2, 3, 4}});
    join();
    const bool own = probe[0].id != reinterpret_cast<uint64_t>(&u);
    Case("send_recv/partner_thread_utcb", s)
        .status("recv_status", probe[0].status)
        .num("length", Message_tag{probe[0].tag}.length())
        .flag("own_utcb", own)
        .num("mr4", probe[0].value)
        .want(s == Status::ok && probe[0].status == Status::ok &&
                  Message_tag{probe[0].tag}.length() == 5,
              "ok")
        .want(own && probe[0].value == 0x4444, "MR4 in the partner's own UTCB");
}

void call_reply() {
    clear_probes();
    spawn(answer_with_reply, 0, main_priority());
    let_partner_block();
    Received r = ipc_call(slot_local, Message{Message_tag{0x5e, 1}, {21}});
    join();
    Case("call_reply", r.status)
        .status("recv_status", probe[0].status)
        .status("reply_status", probe[0].status2)
        .status("second_reply_status", probe[0].status3)
        .num("label", r.message.tag.label())
        .num("mr0", r.message.mr[0])
        .num("badge", r.badge)
        .want(r.status == Status::ok && probe[0].status == Status::ok &&
                  probe[0].status2 == Status::ok,
              "ok")
        .want(r.message.tag.label() == 0x5f && r.message.mr[0] == 42 && r.badge == 0, "the reply")
        .want(probe[0].status3 == Status::no_reply_capability, "a second reply has no caller");
}

void call_reply_recv() {
    clear_probes();
    spawn(answer_with_reply_recv, 0, main_priority());
    let_partner_block();
    Received a = ipc_call(slot_local, Message{Message_tag{0x5e, 1}, {1}});
    Received b = ipc_call(slot_local, Message{Message_tag{0x5e, 1}, {2}});
    join();
    Case("call_reply_recv", b.status)
        .status("first_status", a.status)
        .status("server_recv_status", probe[0].status)
        .status("server_reply_status", probe[0].status2)
        .num("first_mr0", a.message.mr[0])
        .num("second_mr0", b.message.mr[0])
        .want(a.status == Status::ok && b.status == Status::ok && probe[0].status == Status::ok,
              "ok")
        .want(a.message.tag.label() == 1 && a.message.mr[0] == 101, "answer from reply_recv")
        .want(b.message.tag.label() == 2 && b.message.mr[0] == 102, "answer from reply");
}

/// The server (another task) sees the badge of the capability called through.
void caller_badge() {
    Received a = ipc_call(slot_service, Message{Message_tag{op_badge, 0}, {}});
    Received b = ipc_call(slot_service_plain, Message{Message_tag{op_badge, 0}, {}});
    Case("call_reply_recv/caller_badge", a.status)
        .num("badge", a.message.mr[0])
        .num("badge_plain", b.message.mr[0])
        .num("by_thread_id", a.message.mr[1])
        .status("plain_status", b.status)
        .want(a.status == Status::ok && b.status == Status::ok, "ok")
        .want(a.message.mr[0] == service_badge && b.message.mr[0] == service_badge &&
                  a.message.mr[1] == 0,
              "badge 7, not by thread id");
}

/// Calls the server's echo with `n` message registers and junk beyond them.
void registers(unsigned n) {
    Utcb& u = utcb();
    uint64_t sent[max_message_registers];
    Message m{Message_tag{op_echo, n}, {}};
    for (unsigned i = 0; i < max_message_registers; ++i) {
        sent[i] = (uint64_t(n) << 32) | (i + 1);
        (i < mr_in_registers ? m.mr[i] : u.mr[i]) = i < n ? sent[i] : junk + i;
    }
    Received r = ipc_call(slot_service, m);
    bool values = true, beyond_zero = true;
    for (unsigned i = 0; i < n; ++i)
        values &= (i < mr_in_registers ? r.message.mr[i] : u.mr[i]) == sent[i] + 1;
    for (unsigned i = n; i < mr_in_registers; ++i)
        beyond_zero &= r.message.mr[i] == 0;
    char name[32];
    snprintf(name, sizeof name, "registers/%u", n);
    Case(name, r.status)
        .num("length", r.message.tag.length())
        .num("server_saw_nonzero_beyond", r.message.tag.label())
        .flag("values", values)
        .flag("reply_beyond_zero", beyond_zero)
        .want(r.status == Status::ok && r.message.tag.length() == n, "ok, same length")
        .want(values, "every register back + 1")
        .want(r.message.tag.label() == 0 && beyond_zero, "registers beyond the length read 0");
}

// ---- Long IPC ---------------------------------------------------------------------------

alignas(4096) unsigned char out[max_string_bytes + 4096];
alignas(4096) unsigned char in[max_string_bytes + 4096];

Received call_with_string(uint64_t slot, uint64_t address, uint64_t bytes) {
    Utcb& u = utcb();
    u.send_string_addr = address;
    u.send_string_bytes = bytes;
    return ipc_call(slot, Message{Message_tag{op_string, 0, true}, {}});
}

void strings(uint64_t bytes, uint64_t offset) {
    for (uint64_t i = 0; i < bytes; ++i)
        out[offset + i] = uint8_t(i * 7 + bytes);
    memset(in, 0, sizeof in);
    Utcb& u = utcb();
    u.recv_string_addr = reinterpret_cast<uint64_t>(in + offset);
    u.recv_string_capacity = max_string_bytes;
    Received r = call_with_string(slot_service, reinterpret_cast<uint64_t>(out + offset), bytes);
    bool back = true;
    for (uint64_t i = 0; i < bytes; ++i)
        back &= in[offset + i] == (out[offset + i] ^ 0x5a);
    char name[48];
    snprintf(name, sizeof name, "long_ipc/%llu_bytes%s", (unsigned long long)bytes,
             offset ? "_unaligned" : "");
    Case(name, r.status)
        .num("server_bytes", r.message.mr[0])
        .flag("server_hash_ok", r.message.mr[1] == fnv1a(out + offset, bytes))
        .num("reply_bytes", u.recv_string_bytes)
        .flag("reply_ok", back)
        .want(r.status == Status::ok && r.message.tag.has_string(), "ok with a string back")
        .want(r.message.mr[0] == bytes && r.message.mr[1] == fnv1a(out + offset, bytes),
              "server got every byte")
        .want(u.recv_string_bytes == bytes && back, "reply string arrived");
}

void string_failures() {
    Utcb& u = utcb();
    const uint64_t src = reinterpret_cast<uint64_t>(out);
    u.recv_string_addr = reinterpret_cast<uint64_t>(in);
    u.recv_string_capacity = 1000;
    Received r = call_with_string(slot_service, src, 1001); // the echo does not fit
    {
        Case c("long_ipc/reply_longer_than_window", r.status);
        c.want(r.status == Status::message_too_long, "caller sees message_too_long");
        server_saw(c, Status::ok); // reply_recv reports a refused reply to the caller only
    }
    u.recv_string_capacity = max_string_bytes;

    prepare(prepare_string_window, window_buffer, 100);
    r = call_with_string(slot_service, src, 200);
    {
        Case c("long_ipc/longer_than_window", r.status);
        c.want(r.status == Status::message_too_long, "sender sees message_too_long");
        server_saw(c, Status::message_too_long);
    }

    // A bad source is refused before any rendezvous: the server never hears of it, and on
    // an endpoint nobody receives from the send still returns at once.
    struct Source {
        const char* name;
        uint64_t address;
    } sources[] = {{"long_ipc/source_unmapped", unmapped_address},
                   {"long_ipc/source_kernel", kernel_address}};
    for (const Source& s : sources) {
        r = call_with_string(slot_service, s.address, 64);
        Case c(s.name, r.status);
        c.want(r.status == Status::invalid_pointer, "invalid_pointer");
        server_saw(c, Status::ok);
    }
    void* two = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED || munmap(static_cast<char*>(two) + 4096, 4096) != 0) fail("mmap/munmap");
    r = call_with_string(slot_service, reinterpret_cast<uint64_t>(two) + 4096 - 32, 64);
    {
        Case c("long_ipc/source_partly_unmapped", r.status);
        c.want(r.status == Status::invalid_pointer, "invalid_pointer");
        server_saw(c, Status::ok);
    }
    u.send_string_addr = unmapped_address;
    u.send_string_bytes = 64;
    Status s = ipc_send(slot_local, Message{Message_tag{0, 0, true}, {}}); // infinite timeout
    Case("long_ipc/source_unmapped_nobody_receiving", s)
        .want(s == Status::invalid_pointer, "returns at once");

    // A bad window is found when the string is copied into it: both partners fail.
    struct Bad_window {
        const char* name;
        Window where;
    } windows[] = {{"long_ipc/window_unmapped", window_unmapped},
                   {"long_ipc/window_read_only", window_read_only}};
    for (const Bad_window& w : windows) {
        prepare(prepare_string_window, w.where, 4096);
        r = call_with_string(slot_service, src, 100);
        Case c(w.name, r.status);
        c.want(r.status == Status::invalid_pointer, "sender sees invalid_pointer");
        server_saw(c, Status::invalid_pointer);
    }
}

} // namespace

void transfer_cases() {
    send_recv("send_recv/receiver_first", true);
    send_recv("send_recv/sender_first", false);
    partner_utcb();
    call_reply();
    call_reply_recv();
    caller_badge();
    const unsigned lengths[] = {0, 1, 4, 5, max_message_registers};
    for (unsigned n : lengths)
        registers(n);
    strings(64, 0);
    strings(1000, 0);
    strings(4096, 0);
    strings(8000, 13);
    strings(max_string_bytes, 0);
    string_failures();
}

} // namespace ipc_ops