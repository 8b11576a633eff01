// The benchmark server: answers in a reply_recv loop and writes its time stamps into the
// results page. It uses no C library, so it can run as a thread of the client's task.
#include "server.hpp"

#include "abi/message.hpp"
#include "ipclab/ipc.hpp"
#include "timed_syscall.hpp"

namespace bench {

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using ipclab::Syscall_registers;

alignas(64) unsigned char string_window[ipclab::max_string_bytes];

/// Client state the server keeps for the scaling case: per badge (an array) or per thread
/// id (a sorted table searched in O(log n)).
constexpr unsigned max_clients = 512;
uint64_t client_tids[max_clients];
uint64_t requests_by_tid[max_clients];
uint64_t requests_by_badge[max_clients];
unsigned clients;

uint64_t* state_by_tid(uint64_t tid) {
    unsigned lo = 0, hi = clients;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (client_tids[mid] < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < clients && client_tids[lo] == tid ? &requests_by_tid[lo] : nullptr;
}

void add_client(uint64_t tid) {
    if (clients == max_clients || state_by_tid(tid)) return;
    unsigned i = clients++;
    for (; i > 0 && client_tids[i - 1] > tid; --i) client_tids[i] = client_tids[i - 1];
    client_tids[i] = tid;
}

} // namespace

void serve(Results* results, bool map_results) {
    ipclab::Utcb& u = ipclab::utcb();
    u.recv_string_addr = reinterpret_cast<uint64_t>(string_window);
    u.recv_string_capacity = sizeof string_window;
    if (map_results) {
        u.recv_map_addr = results_window;
        u.recv_map_pages = results_pages;
    }
    (void)ipclab::ipc_bind_inbox(slot_endpoint); // messages sent to this thread's id arrive here too
    Syscall_registers r;
    Stamps s;
    uint64_t k = 0; // messages received so far: message k's stamps go to slot k
    auto receive = [&] {
        r = Syscall_registers{};
        r.r[0] = slot_endpoint;
        return timed_syscall<true>(Syscall::ipc_recv, r, s);
    };
    ipclab::Status st = receive();
    for (;;) {
        if (st != ipclab::Status::ok) { // nothing arrived: wait again
            st = receive();
            continue;
        }
        const uint64_t badge = r.r[0];
        const Message_tag tag{r.r[1]};
        if (tag.has_map()) {
            results = reinterpret_cast<Results*>(results_window);
            u.recv_map_pages = 0;
        }
        if (results) results->arrived[k % results_capacity] = s.after;
        const uint64_t this_message = k++;
        uint64_t answer[ipclab::mr_in_registers] = {r.r[2], r.r[3], r.r[4], r.r[5]};
        Message_tag reply{tag.label(), tag.length()}; // the string, if any, is not echoed
        switch (tag.label()) {
        case label_send: // no reply
            st = receive();
            continue;
        case label_setup: answer[0] = ipclab::thread_self().id; reply = Message_tag{label_setup, 1}; break;
        case label_signal: { // answer at once, then take n signals
            const uint64_t n = answer[0];
            r = Syscall_registers{};
            r.r[1] = Message_tag{label_signal, 0}.raw();
            (void)ipclab::sys::ipc_reply(r);
            for (uint64_t i = 0; i < n; ++i) {
                r = Syscall_registers{};
                r.r[0] = slot_notification;
                (void)timed_syscall<true>(Syscall::notify_wait, r, s);
                if (results) results->arrived[k % results_capacity] = s.after;
                ++k;
            }
            st = receive();
            continue;
        }
        case label_register:
            if (tag.by_thread_id()) add_client(badge); // registered by thread id: the badge is it
            reply = Message_tag{label_register, 0};
            break;
        case label_by_badge:
            if (badge < max_clients) ++requests_by_badge[badge];
            reply = Message_tag{label_by_badge, 0};
            break;
        case label_by_tid:
            if (uint64_t* state = state_by_tid(badge)) ++*state;
            reply = Message_tag{label_by_tid, 0};
            break;
        default: break; // label_call: echo the registers (MR4.. are still in the UTCB)
        }
        r = Syscall_registers{};
        r.r[0] = slot_endpoint;
        r.r[1] = reply.raw();
        for (unsigned i = 0; i < ipclab::mr_in_registers; ++i) r.r[2 + i] = answer[i];
        st = timed_syscall<true>(Syscall::ipc_reply_recv, r, s);
        if (results) results->reply_before[this_message % results_capacity] = s.before;
    }
}

void serve_thread(uint64_t results) { serve(reinterpret_cast<Results*>(results), false); }

} // namespace bench
