// ipc_ops cases about threads: sends and calls to thread ids, thread creation and exit,
// the priority order of queued partners, callers whose callee drops them or dies, and the
// teardown cases (an object destroyed while a thread waits on it).
#include <stdio.h>
#include <string.h>

#include "experiments/tests/ipc_ops.hpp"

namespace ipc_ops {

namespace {

const Message ping{Message_tag{0x70, 1}, {1}};

// ---- Partner bodies (no C library) ----------------------------------------------------

void inbox_receiver(uint64_t i) {
    probe[i].status2 = ipc_bind_inbox(slot_inbox);
    Received r = ipc_recv(slot_inbox);
    probe[i].status = r.status;
    probe[i].badge = r.badge;
    probe[i].tag = r.message.tag.raw();
    probe[i].value = r.message.mr[0];
    if (Message_tag{probe[i].tag}.label() == 0x73)
        probe[i].status3 = ipc_reply(Message{Message_tag{0x74, 1}, {r.message.mr[0] + 1}});
    finish();
}

void introduce(uint64_t i) {
    Thread_self me = thread_self();
    probe[i].id = me.id;
    probe[i].priority = me.priority;
    probe[i].value = i;
    finish();
}

/// Receives two calls; the second drops the first caller's reply capability.
void receive_two_answer_second(uint64_t i) {
    Received first = ipc_recv(slot_local);
    Received second = ipc_recv(slot_local);
    probe[i].status = first.status;
    probe[i].status2 = second.status;
    probe[i].mr[0] = first.message.mr[0];
    probe[i].mr[1] = second.message.mr[0];
    probe[i].status3 = ipc_reply(Message{Message_tag{0x75, 1}, {second.message.mr[0] * 10}});
    finish();
}

/// Receives a call and ends, holding the reply capability.
void receive_and_exit(uint64_t i) {
    probe[i].status = ipc_recv(slot_local).status;
    finish();
}

void wait_on_doomed_endpoint(uint64_t i) {
    probe[i].status = ipc_recv(slot_doomed_endpoint).status;
    finish();
}

void wait_on_doomed_notification(uint64_t i) {
    probe[i].status = notify_wait(slot_doomed_note).status;
    finish();
}

/// Makes the doomed endpoint this thread's inbox, deletes the capability (the binding still
/// holds the endpoint), waits for a signal, and ends: the binding goes with the thread.
void bind_doomed_inbox_and_end(uint64_t i) {
    probe[i].status2 = ipc_bind_inbox(slot_doomed_endpoint);
    probe[i].status3 = cap_delete(slot_doomed_endpoint);
    probe[i].status = notify_wait(slot_note).status;
    finish();
}

// ---- Thread ids -------------------------------------------------------------------------

void thread_ids() {
    const uint64_t me = thread_self().id;
    clear_probes();
    const uint64_t partner = spawn(inbox_receiver, 0, main_priority());
    let_partner_block();
    Status s = ipc_send_tid(partner, Message{Message_tag{0x77, 1}, {5}});
    join();
    Message_tag tag{probe[0].tag};
    Case("thread_id/send", s)
        .status("bind_status", probe[0].status2)
        .status("recv_status", probe[0].status)
        .flag("badge_is_sender_id", probe[0].badge == me)
        .flag("by_thread_id", tag.by_thread_id())
        .num("label", tag.label())
        .num("value", probe[0].value)
        .want(s == Status::ok && probe[0].status == Status::ok && probe[0].status2 == Status::ok,
              "ok")
        .want(probe[0].badge == me && tag.by_thread_id(), "badge = sender's thread id, flag set")
        .want(tag.label() == 0x77 && probe[0].value == 5, "the message");

    clear_probes();
    const uint64_t answerer = spawn(inbox_receiver, 1, main_priority());
    let_partner_block();
    Received r = ipc_call_tid(answerer, Message{Message_tag{0x73, 1}, {5}});
    join();
    Case("thread_id/call", r.status)
        .status("reply_status", probe[1].status3)
        .flag("request_by_thread_id", Message_tag{probe[1].tag}.by_thread_id())
        .flag("reply_by_thread_id", r.message.tag.by_thread_id())
        .num("mr0", r.message.mr[0])
        .want(r.status == Status::ok && probe[1].status3 == Status::ok, "ok")
        .want(Message_tag{probe[1].tag}.by_thread_id() && probe[1].badge == me,
              "request by thread id")
        .want(r.message.tag.label() == 0x74 && r.message.mr[0] == 6 &&
                  !r.message.tag.by_thread_id(),
              "reply");

    s = ipc_send_tid(partner, ping, timeout_zero); // the partner has ended
    Case("thread_id/ended_thread", s).want(s == Status::invalid_capability, "invalid_capability");
    s = ipc_send_tid(0x7fffffff, ping, timeout_zero);
    Case("thread_id/unknown", s).want(s == Status::invalid_capability, "invalid_capability");
    s = ipc_call_tid(0x7fffffff, ping, timeout_zero).status;
    Case("thread_id/call_unknown", s).want(s == Status::invalid_capability, "invalid_capability");
    Status unbound = ipc_send_tid(me, ping, timeout_zero);
    Status bind = ipc_bind_inbox(slot_inbox);
    Status bound = ipc_send_tid(me, ping, timeout_zero);
    Status unbind = ipc_bind_inbox(0);
    Status after = ipc_send_tid(me, ping, timeout_zero);
    Case("thread_id/bind_unbind", bind)
        .status("before", unbound)
        .status("bound", bound)
        .status("unbind", unbind)
        .status("after", after)
        .want(unbound == Status::invalid_capability && bind == Status::ok && unbind == Status::ok,
              "bind, unbind")
        .want(bound == Status::would_block, "bound: an inbox nobody receives from")
        .want(after == Status::invalid_capability, "unbound: no inbox");
}

// ---- Threads and priorities -------------------------------------------------------------

void threads() {
    clear_probes();
    const uint8_t p = uint8_t(main_priority() - 30);
    Status created = Status::ok;
    const uint64_t id = spawn(introduce, 2, p, &created);
    join();
    Case("thread/create_exit", created)
        .flag("id_matches", probe[2].id == id)
        .num("priority", probe[2].priority)
        .num("argument", probe[2].value)
        .want(id != 0 && probe[2].id == id, "thread_self names the thread created")
        .want(probe[2].priority == p && probe[2].value == 2, "priority and argument");

    // Senders queue in the order L1 H1 L2 H2 (each blocks before the next starts); the
    // receiver takes the higher priority first, FIFO within a priority.
    clear_probes();
    const uint8_t low = uint8_t(main_priority() - 50), high = uint8_t(main_priority() - 40);
    const uint8_t senders[] = {low, high, low, high};
    for (unsigned i = 0; i < 4; ++i) {
        spawn(send_value, i, senders[i]);
        pause_for(20000);
    }
    char order[16];
    unsigned at = 0;
    for (unsigned i = 0; i < 4; ++i) {
        Received r = ipc_recv(slot_local, timeout_zero);
        at += snprintf(order + at, sizeof order - at, i ? ",%llu" : "%llu",
                       r.status == Status::ok ? (unsigned long long)r.message.mr[0] : 9ull);
    }
    join();
    Case("priority/queued_senders", Status::ok)
        .text("order", order)
        .want(!strcmp(order, "1,3,0,2"), "highest priority first, FIFO within");

    clear_probes();
    const uint8_t receivers[] = {low, high, uint8_t(low + 5)};
    for (unsigned i = 0; i < 3; ++i) {
        spawn(receive_value, i, receivers[i]);
        pause_for(20000);
    }
    for (uint64_t v = 10; v < 13; ++v)
        (void)ipc_send(slot_local, Message{Message_tag{0x71, 1}, {v}}, timeout_zero);
    join();
    Case("priority/queued_receivers", probe[0].status)
        .num("low_got", probe[0].value)
        .num("high_got", probe[1].value)
        .num("middle_got", probe[2].value)
        .want(probe[1].value == 10 && probe[2].value == 11 && probe[0].value == 12,
              "highest priority first");
}

// ---- Callers left without an answer -----------------------------------------------------

void reply_failures() {
    clear_probes();
    spawn(receive_two_answer_second, 0, uint8_t(main_priority() - 10));
    spawn(call_value, 1, uint8_t(main_priority() - 20));
    spawn(call_value, 2, uint8_t(main_priority() - 30));
    join();
    Case("reply_dropped", probe[1].status)
        .status("second_caller", probe[2].status)
        .num("second_value", probe[2].value)
        .status("server_reply", probe[0].status3)
        .num("server_first", probe[0].mr[0])
        .num("server_second", probe[0].mr[1])
        .want(probe[0].status == Status::ok && probe[0].status2 == Status::ok,
              "both calls received")
        .want(probe[1].status == Status::reply_dropped, "the first caller is dropped")
        .want(probe[2].status == Status::ok && probe[2].value == 20 &&
                  probe[0].status3 == Status::ok,
              "the second is answered");

    clear_probes();
    spawn(receive_and_exit, 0, uint8_t(main_priority() - 10));
    spawn(call_value, 1, uint8_t(main_priority() - 20));
    join();
    Case("partner_dead", probe[1].status)
        .status("server_recv", probe[0].status)
        .want(probe[0].status == Status::ok && probe[1].status == Status::partner_dead,
              "partner_dead");
}

// ---- Objects destroyed under a waiter ---------------------------------------------------

/// The waiter left behind after its object went: woken with an error, or not at all.
void report_waiter(Case& c, bool woken, Status waiter) {
    c.flag("waiter_woken", woken)
        .status("waiter_status", waiter)
        .want(woken && waiter != Status::ok, "the wait ends with an error");
}

} // namespace

void thread_cases() {
    thread_ids();
    threads();
    reply_failures();
}

bool teardown_case(const char* what) {
    // The last capability to an object goes while another thread of this task waits on it.
    // seL4 cancels such waits when it destroys the object (cancelAllIPC, cancelAllSignals);
    // here the wait must end with an error too, and the kernel must carry on.
    clear_probes();
    if (!strcmp(what, "endpoint") || !strcmp(what, "notification")) {
        const bool ep = what[0] == 'e';
        spawn(ep ? wait_on_doomed_endpoint : wait_on_doomed_notification, 0, main_priority());
        let_partner_block();
        Status s = cap_delete(ep ? slot_doomed_endpoint : slot_doomed_note);
        const bool woken = join_within(1000000);
        Case c(ep ? "teardown/endpoint_with_receiver" : "teardown/notification_with_waiter", s);
        c.want(s == Status::ok, "deleted");
        report_waiter(c, woken, probe[0].status);
        return true;
    }
    if (!strcmp(what, "inbox")) {
        // Here the waiter is the main thread, queued on the inbox by thread id: it never held
        // a capability to the endpoint.
        const uint64_t owner = spawn(bind_doomed_inbox_and_end, 0, main_priority());
        let_partner_block();
        (void)notify_signal(slot_note_a); // the owner may end once we are queued
        Status s = ipc_send_tid(owner, ping, 1000000);
        const bool ended = join_within(1000000);
        Case c("teardown/inbox_with_sender", s);
        c.status("bind_status", probe[0].status2)
            .status("delete_status", probe[0].status3)
            .flag("owner_ended", ended)
            .want(probe[0].status2 == Status::ok && probe[0].status3 == Status::ok && ended,
                  "bound, deleted, ended")
            .want(s != Status::ok && s != Status::timed_out,
                  "the queued send ends with an error when the inbox goes");
        return true;
    }
    return false;
}

} // namespace ipc_ops
