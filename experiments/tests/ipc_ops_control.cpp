// ipc_ops cases about waiting and authority: zero and finite timeouts (measured in virtual
// time), notifications, capability derive/delete/info.
#include "experiments/tests/ipc_ops.hpp"

namespace ipc_ops {

namespace {

/// A timed-out operation returns at its deadline plus the kernel's way back: the timer
/// interrupt, the timeout queue, a context switch and the system-call exit, under a thousand
/// guest instructions (the one-shot timer may also fire a little early and be re-armed).
/// 50 000 guest instructions (50 us of virtual time) leaves room for a tick or a longer
/// path and is still far below any timeout tested, so a late timeout shows.
constexpr uint64_t timeout_margin = 50000;

const Message ping{Message_tag{0x70, 1}, {1}};

// ---- Partner bodies (no C library) ----------------------------------------------------

/// Receives a call and never answers it; after being released (a message on the inbox
/// endpoint) tries the reply that is too late.
void receive_and_keep_silent(uint64_t i) {
    probe[i].status = ipc_recv(slot_local).status;
    probe[i].status2 = ipc_recv(slot_inbox).status;
    probe[i].status3 = ipc_reply(ping);
    finish();
}

void answer_once(uint64_t i) {
    Received r = ipc_recv(slot_local);
    probe[i].status = r.status;
    probe[i].status2 = ipc_reply(Message{Message_tag{0x72, 1}, {r.message.mr[0] + 1}});
    finish();
}

void signal_a(uint64_t i) {
    probe[i].status = notify_signal(slot_note_a);
    finish();
}

/// Answers a call with reply_recv and a zero timeout: nobody sends again, so would_block.
void answer_then_poll(uint64_t i) {
    Received r = ipc_recv(slot_local);
    probe[i].status = r.status;
    probe[i].status2 =
        ipc_reply_recv(slot_local, Message{Message_tag{0x72, 1}, {r.message.mr[0] + 1}},
                       timeout_zero)
            .status;
    finish();
}

void wait_note(uint64_t i) {
    Notified n = notify_wait(slot_note);
    probe[i].status = n.status;
    probe[i].value = n.word;
    finish();
}

// ---- Timeouts ---------------------------------------------------------------------------

void zero_timeouts() {
    Status s = ipc_send(slot_local, ping, timeout_zero);
    Case("zero_timeout/send", s).want(s == Status::would_block, "would_block");
    s = ipc_recv(slot_local, timeout_zero).status;
    Case("zero_timeout/recv", s).want(s == Status::would_block, "would_block");
    s = ipc_call(slot_local, ping, timeout_zero).status;
    Case("zero_timeout/call", s).want(s == Status::would_block, "would_block");
    (void)notify_poll(slot_note);
    s = notify_wait(slot_note, timeout_zero).status;
    Case("zero_timeout/notify_wait", s).want(s == Status::would_block, "would_block");

    // With the partner there, a zero timeout does not matter.
    clear_probes();
    spawn(receive_value, 0, main_priority());
    let_partner_block();
    s = ipc_send(slot_local, Message{Message_tag{0x71, 1}, {5}}, timeout_zero);
    join();
    Case("zero_timeout/send_receiver_waiting", s)
        .status("recv_status", probe[0].status)
        .num("value", probe[0].value)
        .want(s == Status::ok && probe[0].status == Status::ok && probe[0].value == 5, "delivered");
    Received r = ipc_call(slot_service, Message{Message_tag{op_echo, 1}, {41}}, timeout_zero);
    Case("zero_timeout/call_server_waiting", r.status)
        .num("mr0", r.message.mr[0])
        .want(r.status == Status::ok && r.message.mr[0] == 42, "the reply is waited for");
    clear_probes();
    spawn(answer_then_poll, 0, main_priority());
    let_partner_block();
    r = ipc_call(slot_local, Message{Message_tag{0x70, 1}, {9}});
    join();
    Case("zero_timeout/reply_recv", probe[0].status2)
        .num("mr0", r.message.mr[0])
        .want(r.status == Status::ok && r.message.mr[0] == 10, "the reply went out")
        .want(probe[0].status2 == Status::would_block, "then the receive would block");
    (void)notify_signal(slot_note_a);
    Notified n = notify_wait(slot_note, timeout_zero);
    Case("zero_timeout/notify_wait_signalled", n.status)
        .num("word", n.word)
        .want(n.status == Status::ok && n.word == 1, "the word");
}

/// Reports a blocking call expected to time out after `timeout`; `left_queue` says that a
/// partner coming afterwards no longer finds the thread that timed out.
void timed(const char* name, Status s, uint64_t timeout, uint64_t t0, uint64_t t1,
           bool left_queue = true) {
    const uint64_t elapsed = t1 - t0;
    Case(name, s)
        .num("timeout", timeout)
        .num("elapsed", elapsed)
        .num("margin", timeout_margin)
        .flag("left_queue", left_queue)
        .want(s == Status::timed_out, "timed_out")
        .want(elapsed >= timeout && elapsed < timeout + timeout_margin,
              "elapsed in [timeout, timeout + margin)")
        .want(left_queue, "the timed-out thread left the queue");
}

void finite_timeouts() {
    uint64_t t0 = now();
    Status s = ipc_recv(slot_local, 2000000).status;
    uint64_t t1 = now();
    timed("timeout/recv", s, 2000000, t0, t1,
          ipc_send(slot_local, ping, timeout_zero) == Status::would_block);
    t0 = now();
    s = ipc_send(slot_local, ping, 1000000);
    t1 = now();
    timed("timeout/send", s, 1000000, t0, t1,
          ipc_recv(slot_local, timeout_zero).status == Status::would_block);
    t0 = now();
    s = ipc_call(slot_local, ping, 1000000).status;
    t1 = now();
    timed("timeout/call_nobody_receiving", s, 1000000, t0, t1,
          ipc_recv(slot_local, timeout_zero).status == Status::would_block);
    (void)notify_poll(slot_note);
    t0 = now();
    s = notify_wait(slot_note, 1500000).status;
    t1 = now();
    // A signal after the timeout must stay in the word, not go to the waiter that left.
    (void)notify_signal(slot_note_a);
    Notified kept = notify_poll(slot_note);
    timed("timeout/notify_wait", s, 1500000, t0, t1, kept.status == Status::ok && kept.word == 1);

    // The call is received, the reply never comes: the same timeout covers the reply.
    clear_probes();
    spawn(receive_and_keep_silent, 0, main_priority());
    let_partner_block();
    t0 = now();
    s = ipc_call(slot_local, ping, 3000000).status;
    timed("timeout/call_never_answered", s, 3000000, t0, now());
    Status released = ipc_send(slot_inbox, ping);
    join();
    Case("timeout/reply_after_caller_left", probe[0].status3)
        .status("recv_status", probe[0].status)
        .status("release_status", released)
        .want(probe[0].status == Status::ok && released == Status::ok, "received, released")
        .want(probe[0].status3 == Status::no_reply_capability, "the late reply has no caller");

    // A finite wait that a partner ends in time; the timeout must not fire later.
    clear_probes();
    spawn(send_value, 3, uint8_t(main_priority() - 10));
    t0 = now();
    Received r = ipc_recv(slot_local, 5000000);
    const uint64_t elapsed = now() - t0;
    join();
    // Past the old deadline: a timeout left armed would end this wait early.
    t0 = now();
    s = ipc_recv(slot_quiet, 6000000).status;
    const uint64_t elapsed_after = now() - t0;
    Case("timeout/recv_in_time", r.status)
        .num("value", r.message.mr[0])
        .num("elapsed", elapsed)
        .status("later_wait", s)
        .num("elapsed_later_wait", elapsed_after)
        .want(r.status == Status::ok && r.message.mr[0] == 3 && probe[3].status == Status::ok,
              "delivered")
        .want(elapsed < 5000000, "before the deadline")
        .want(s == Status::timed_out && elapsed_after >= 6000000, "no stray timeout later");

    clear_probes();
    spawn(answer_once, 0, main_priority());
    let_partner_block();
    r = ipc_call(slot_local, Message{Message_tag{0x70, 1}, {7}}, 5000000);
    join();
    Case("timeout/call_answered_in_time", r.status)
        .num("mr0", r.message.mr[0])
        .status("reply_status", probe[0].status2)
        .want(r.status == Status::ok && r.message.mr[0] == 8 && probe[0].status2 == Status::ok,
              "answered");
}

// ---- Notifications ----------------------------------------------------------------------

void notifications() {
    (void)notify_poll(slot_note);
    Notified n = notify_poll(slot_note);
    Case("notify/poll_nothing", n.status)
        .num("word", n.word)
        .want(n.status == Status::ok && n.word == 0, "0");

    Status a = notify_signal(slot_note_a), b = notify_signal(slot_note_b);
    n = notify_poll(slot_note);
    Notified again = notify_poll(slot_note);
    Case("notify/badges_or", n.status)
        .status("signal_a", a)
        .status("signal_b", b)
        .num("word", n.word)
        .num("word_after", again.word)
        .want(a == Status::ok && b == Status::ok && n.status == Status::ok, "ok")
        .want(n.word == 3 && again.word == 0, "1 | 2, then cleared");

    (void)notify_signal(slot_note_b);
    n = notify_wait(slot_note);
    Case("notify/wait_already_signalled", n.status)
        .num("word", n.word)
        .want(n.status == Status::ok && n.word == 2, "2");

    clear_probes();
    spawn(signal_a, 0, uint8_t(main_priority() - 10));
    n = notify_wait(slot_note);
    join();
    Case("notify/signal_wakes_waiter", n.status)
        .num("word", n.word)
        .status("signal_status", probe[0].status)
        .want(n.status == Status::ok && n.word == 1 && probe[0].status == Status::ok,
              "woken with 1");

    clear_probes();
    spawn(wait_note, 0, main_priority());
    let_partner_block();
    Status s = notify_signal(slot_note_b);
    join();
    Case("notify/signal_wakes_other_thread", s)
        .status("wait_status", probe[0].status)
        .num("word", probe[0].value)
        .want(s == Status::ok && probe[0].status == Status::ok && probe[0].value == 2,
              "woken with 2");
}

// ---- Capabilities -----------------------------------------------------------------------

void capabilities() {
    Cap_info i = cap_info(slot_service);
    Case("cap_info/endpoint", i.status)
        .num("object_type", i.type)
        .num("rights", i.rights)
        .num("badge", i.badge)
        .want(i.status == Status::ok && i.type == object_endpoint &&
                  i.rights == (right_send | right_grant) && i.badge == service_badge,
              "endpoint, send + grant, badge 7");
    i = cap_info(slot_note_b);
    Case("cap_info/notification", i.status)
        .num("object_type", i.type)
        .num("rights", i.rights)
        .num("badge", i.badge)
        .want(i.status == Status::ok && i.type == object_notification && i.rights == right_send &&
                  i.badge == 2,
              "notification, send, badge 2");

    constexpr uint64_t fewer = 12, badged = 13, copy = 14, refused = 15;
    Status s = cap_derive(slot_local, fewer, right_send);
    i = cap_info(fewer);
    Case("cap_derive/fewer_rights", s)
        .num("rights", i.rights)
        .num("badge", i.badge)
        .want(s == Status::ok && i.type == object_endpoint && i.rights == right_send &&
                  i.badge == 0,
              "send only");

    clear_probes();
    s = cap_derive(slot_local, badged, right_send, 42);
    spawn(receive_value, 0, main_priority());
    let_partner_block();
    Status sent = ipc_send(badged, ping);
    join();
    Case("cap_derive/new_badge", s)
        .num("badge", cap_info(badged).badge)
        .status("send_status", sent)
        .num("received_badge", probe[0].badge)
        .want(s == Status::ok && cap_info(badged).badge == 42, "badge 42")
        .want(sent == Status::ok && probe[0].badge == 42, "delivered with the message");

    s = cap_derive(badged, copy, right_send, 0);
    Case("cap_derive/keeps_badge", s)
        .num("badge", cap_info(copy).badge)
        .want(s == Status::ok && cap_info(copy).badge == 42, "42 kept");
    s = cap_derive(badged, refused, right_send, 43);
    Case("cap_derive/rebadge_refused", s)
        .status("target_status", cap_info(refused).status)
        .want(s == Status::invalid_argument &&
                  cap_info(refused).status == Status::invalid_capability,
              "invalid_argument, nothing derived");
    s = cap_derive(fewer, refused, right_send | right_receive);
    Case("cap_derive/more_rights_refused", s)
        .status("target_status", cap_info(refused).status)
        .want(s == Status::insufficient_rights &&
                  cap_info(refused).status == Status::invalid_capability,
              "insufficient_rights, nothing derived");

    s = cap_delete(fewer);
    Status info = cap_info(fewer).status, use = ipc_send(fewer, ping, timeout_zero),
           twice = cap_delete(fewer);
    Status source = ipc_send(slot_local, ping, timeout_zero);
    Case("cap_delete", s)
        .status("info_after", info)
        .status("send_after", use)
        .status("delete_again", twice)
        .status("source_send", source)
        .want(s == Status::ok && info == Status::invalid_capability &&
                  use == Status::invalid_capability && twice == Status::invalid_capability,
              "the slot is empty")
        .want(source == Status::would_block, "the capability derived from still works");
    (void)cap_delete(badged);
    (void)cap_delete(copy);
}

} // namespace

void control_cases() {
    zero_timeouts();
    finite_timeouts();
    notifications();
    capabilities();
}

} // namespace ipc_ops
