// Fault injection, native IPC (tests/qemu/test_fault_injection.py, docs/fault-injection.md):
// a victim the run description's `kill` line ends while it blocks in an IPC operation, and
// its partner, which prints the status each of its operations returned.
// usage: fault_native victim|partner CASE   (CASE: the runs of tests/qemu/scenarios/fault_injection.json)
//        fault_native server reply_cap_forwarder
//        fault_native sender|receiver bad_window
// Capability slots, as the scenario hands them out: 2 endpoint "ep" (send + receive), and for
// the victim 3 endpoint "quiet" (receive; nobody sends there), 4 notification "note"
// (receive; nobody signals it) and 5 endpoint "onward" (send), whose server has it in slot 2. Priorities say who runs first (the victim, unless a case
// needs its partner to block before it), so no line depends on timing; the finite timeouts
// (10 ms of virtual time) only have to outlast the victim's start-up.
// Every line: {"type":"op","role":R,"case":C,"op":O,"status":S,"at":INSTRUCTIONS,...}; a
// victim that survives its kill prints one with "survived":true and exits 1.
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ipclab/ipc.hpp"

namespace {

using namespace ipclab;

constexpr uint64_t slot_ep = 2, slot_quiet = 3, slot_note = 4, slot_onward = 5;
constexpr uint64_t finite = 10'000'000; // ns of virtual time
constexpr uint64_t long_bytes = max_string_bytes; // 64 KiB: the largest long IPC
constexpr unsigned char sent_byte = 0x5a, window_byte = 0xa5;

alignas(4096) unsigned char send_buffer[long_bytes];
alignas(4096) unsigned char window[long_bytes];

const char* role = "";
const char* the_case = "";

uint64_t now() { return __builtin_ia32_rdtsc(); }

/// Prints one operation's outcome; `extra` is more JSON fields, starting with a comma.
void report(const char* op, Status s, const char* extra = "") {
    printf("{\"type\":\"op\",\"role\":\"%s\",\"case\":\"%s\",\"op\":\"%s\",\"status\":\"%s\",\"at\":%llu%s}\n", role,
           the_case, op, status_name(s), (unsigned long long)now(), extra);
    fflush(stdout);
}

/// The victim's operation returned: the kill did not happen.
int survived(const char* op, Status s) {
    printf("{\"type\":\"op\",\"role\":\"victim\",\"case\":\"%s\",\"op\":\"%s\",\"status\":\"%s\",\"survived\":true}\n",
           the_case, op, status_name(s));
    return 1;
}

/// A message with a 64 KiB string of sent_byte (long IPC).
Message long_message() {
    memset(send_buffer, sent_byte, sizeof send_buffer);
    Utcb& u = utcb();
    u.send_string_addr = reinterpret_cast<uint64_t>(send_buffer);
    u.send_string_bytes = long_bytes;
    return Message{Message_tag{1, 1, true}, {1}};
}

/// Offers `bytes` at `at` as the string window, first filled with window_byte if `fill`.
void offer_window(unsigned char* at, uint64_t bytes, bool fill = true) {
    if (fill) memset(at, window_byte, bytes);
    utcb().recv_string_addr = reinterpret_cast<uint64_t>(at);
    utcb().recv_string_capacity = bytes;
}

/// How many leading bytes of `p` are `b`.
uint64_t prefix_of(const unsigned char* p, uint64_t n, unsigned char b) {
    uint64_t i = 0;
    while (i < n && p[i] == b) ++i;
    return i;
}

alignas(16) unsigned char thread_stack[16384];

/// threads: the second thread's call, which is queued; the kill takes the whole task.
void second_thread(uint64_t) {
    (void)ipc_call(slot_ep, Message{Message_tag{1, 1}, {2}});
    thread_exit(1);
}

int victim(const char* c) {
    if (!strcmp(c, "send")) { // a 64 KiB long message queued on "ep": the receiver comes later
        Status s = ipc_send(slot_ep, long_message());
        return survived("send", s);
    }
    if (!strcmp(c, "recv")) return survived("recv", ipc_recv(slot_ep).status);
    if (!strcmp(c, "call_queued")) return survived("call", ipc_call(slot_ep, Message{Message_tag{1, 1}, {1}}).status);
    if (!strcmp(c, "call_reply")) { // killed in its second call (nth 2), waiting for the reply
        Received r = ipc_call(slot_ep, Message{Message_tag{1, 1}, {1}});
        char extra[64];
        snprintf(extra, sizeof extra, ",\"mr0\":%llu", (unsigned long long)r.message.mr[0]);
        report("call", r.status, extra);
        return survived("call", ipc_call(slot_ep, Message{Message_tag{1, 1}, {2}}).status);
    }
    if (!strcmp(c, "reply_recv")) { // a server: answers one call, dies in the receive after it
        Received r = ipc_recv(slot_ep);
        r = ipc_reply_recv(slot_ep, Message{Message_tag{2, 1}, {r.message.mr[0] + 100}});
        return survived("reply_recv", r.status);
    }
    if (!strcmp(c, "reply_cap")) { // receives a call, then blocks elsewhere without answering
        Received r = ipc_recv(slot_ep);
        report("recv", r.status);
        return survived("notify_wait", notify_wait(slot_note).status);
    }
    if (!strcmp(c, "reply_cap_forwarder")) { // receives a call, then calls on (slot 5) before answering
        Received r = ipc_recv(slot_ep);
        report("recv", r.status);
        return survived("call", ipc_call(slot_onward, Message{Message_tag{1, 1}, {r.message.mr[0]}}).status);
    }
    if (!strcmp(c, "threads")) { // the second thread dies queued in a call; this one, ready, with it
        uint64_t id = 0;
        Status s = thread_create(second_thread, thread_stack + sizeof thread_stack, 110, 0, id);
        char extra[64];
        snprintf(extra, sizeof extra, ",\"thread\":%llu", (unsigned long long)id);
        report("thread_create", s, extra);
        sched_yield(); // the second thread runs and blocks
        return survived("sched_yield", Status::ok);
    }
    if (!strcmp(c, "long_receiver")) // "ep"'s receiver, blocked elsewhere while a 64 KiB call waits
        return survived("recv", ipc_recv(slot_quiet).status);
    printf("fault_native: unknown case '%s'\n", c);
    return 2;
}

int partner(const char* c) {
    if (!strcmp(c, "send")) { // the victim's queued 64 KiB message must not arrive, in part or whole
        offer_window(window, sizeof window);
        Received r = ipc_recv(slot_ep, finite);
        char extra[64];
        snprintf(extra, sizeof extra, ",\"window_untouched\":%s",
                 prefix_of(window, sizeof window, window_byte) == sizeof window ? "true" : "false");
        report("recv", r.status, extra);
        return 0;
    }
    if (!strcmp(c, "recv")) { // nobody receives on "ep" any more
        report("send", ipc_send(slot_ep, Message{Message_tag{1, 1}, {1}}, finite));
        printf("{\"type\":\"blocking_forever\",\"role\":\"partner\",\"op\":\"send\"}\n"); // it never returns
        fflush(stdout);
        report("send_infinite", ipc_send(slot_ep, Message{Message_tag{1, 1}, {1}}));
        return 0;
    }
    if (!strcmp(c, "call_queued") || !strcmp(c, "threads")) { // the victim's queued call was withdrawn with it
        Received r = ipc_recv(slot_ep, finite);
        report("recv", r.status);
        report("reply", ipc_reply(Message{Message_tag{3, 1}, {1}}));
        return 0;
    }
    if (!strcmp(c, "call_reply")) { // answers the first call; the second caller dies waiting
        for (int i = 0; i < 2; ++i) {
            Received r = ipc_recv(slot_ep);
            char extra[64];
            snprintf(extra, sizeof extra, ",\"mr0\":%llu", (unsigned long long)r.message.mr[0]);
            report("recv", r.status, extra);
            report("reply", ipc_reply(Message{Message_tag{3, 1}, {r.message.mr[0] * 10}}));
        }
        return 0;
    }
    if (!strcmp(c, "reply_recv")) { // the client: the first call is answered, the server is gone
        Received r = ipc_call(slot_ep, Message{Message_tag{1, 1}, {1}});
        char extra[64];
        snprintf(extra, sizeof extra, ",\"mr0\":%llu", (unsigned long long)r.message.mr[0]);
        report("call", r.status, extra);
        report("call", ipc_call(slot_ep, Message{Message_tag{1, 1}, {2}}, finite).status);
        return 0;
    }
    if (!strcmp(c, "reply_cap") || !strcmp(c, "reply_cap_forwarder")) { // the callee dies holding our reply capability
        report("call", ipc_call(slot_ep, Message{Message_tag{1, 1}, {1}}).status);
        return 0;
    }
    if (!strcmp(c, "long_receiver")) { // a 64 KiB call queued first; its receiver dies
        offer_window(window, sizeof window);
        Received r = ipc_call(slot_ep, long_message(), finite);
        char extra[64];
        snprintf(extra, sizeof extra, ",\"window_untouched\":%s",
                 prefix_of(window, sizeof window, window_byte) == sizeof window ? "true" : "false");
        report("call", r.status, extra);
        return 0;
    }
    printf("fault_native: unknown case '%s'\n", c);
    return 2;
}

/// reply_cap_forwarder: the server the victim calls on; its reply finds the caller gone.
int server() {
    Received r = ipc_recv(slot_ep);
    report("recv", r.status);
    report("reply", ipc_reply(Message{Message_tag{3, 1}, {r.message.mr[0]}}));
    return 0;
}

/// bad_window: a 64 KiB copy into a window whose upper half is unmapped, then into a
/// read-only one. No kill: the nearest a copy comes to being cut short (docs/fault-injection.md).
int receiver() {
    const uint64_t half = long_bytes / 2;
    void* p = mmap(nullptr, long_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || munmap(static_cast<char*>(p) + half, half) != 0) {
        printf("fault_native: mmap/munmap failed\n");
        return 2;
    }
    auto* lower = static_cast<unsigned char*>(p);
    offer_window(lower, long_bytes, false);
    memset(lower, window_byte, half);
    Received r = ipc_recv(slot_ep);
    char extra[96];
    snprintf(extra, sizeof extra, ",\"copied_prefix\":%llu,\"window_bytes_mapped\":%llu",
             (unsigned long long)prefix_of(lower, half, sent_byte), (unsigned long long)half);
    report("recv_half_mapped", r.status, extra);
    // Read-only: this program's own code.
    offer_window(reinterpret_cast<unsigned char*>(reinterpret_cast<uint64_t>(&receiver) & ~uint64_t(4095)), long_bytes,
                 false);
    report("recv_read_only", ipc_recv(slot_ep).status);
    return 0;
}

int sender() {
    report("send_half_mapped", ipc_send(slot_ep, long_message()));
    report("send_read_only", ipc_send(slot_ep, long_message()));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        printf("usage: fault_native victim|partner|server|sender|receiver CASE\n");
        return 2;
    }
    role = argv[1];
    the_case = argv[2];
    if (!strcmp(role, "victim")) return victim(the_case);
    if (!strcmp(role, "partner")) return partner(the_case);
    if (!strcmp(role, "receiver")) return receiver();
    if (!strcmp(role, "sender")) return sender();
    if (!strcmp(role, "server")) return server();
    printf("fault_native: unknown role '%s'\n", role);
    return 2;
}
