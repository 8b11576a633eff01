// Every native IPC operation, checked against the kernel: the roles, the server, the case
// report and the partner threads (the cases are in the other ipc_ops_*.cpp).
// usage: ipc_ops server            (slot 2: endpoint "service", receive right)
//        ipc_ops client            (capabilities as in ipc_ops.hpp)
//        ipc_ops teardown WHAT     (WHAT: endpoint, notification or inbox; ipc_ops.hpp)
// The client prints one JSON line per case and {"type":"ipc_ops","cases":N,"failures":F},
// and exits 1 if a case failed. No line depends on timing except the "elapsed" fields.
#include "experiments/tests/ipc_ops.hpp"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

namespace ipc_ops {

namespace {

int cases = 0;
int failures = 0;

} // namespace

// ---- The case report --------------------------------------------------------------------

Case::Case(const char* name, Status s) {
    append("{\"type\":\"case\",\"case\":\"%s\",\"status\":\"%s\"", name, status_name(s));
}

void Case::append(const char* format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(m_line + m_used, sizeof m_line - m_used, format, args);
    va_end(args);
    if (n > 0)
        m_used = m_used + unsigned(n) < sizeof m_line ? m_used + unsigned(n) : sizeof m_line - 1;
}

Case& Case::status(const char* key, Status s) {
    append(",\"%s\":\"%s\"", key, status_name(s));
    return *this;
}

Case& Case::num(const char* key, uint64_t value) {
    append(",\"%s\":%llu", key, (unsigned long long)value);
    return *this;
}

Case& Case::flag(const char* key, bool value) {
    append(",\"%s\":%s", key, value ? "true" : "false");
    return *this;
}

Case& Case::text(const char* key, const char* value) {
    append(",\"%s\":\"%s\"", key, value);
    return *this;
}

Case& Case::want(bool condition, const char* what) {
    if (!condition && !m_failed) m_failed = what;
    return *this;
}

void Case::end() {
    if (m_ended) return;
    m_ended = true;
    if (m_failed) append(",\"failed\":\"%s\"", m_failed);
    printf("%s,\"ok\":%s}\n", m_line, m_failed ? "false" : "true");
    ++cases;
    if (m_failed) ++failures;
}

void fail(const char* what) {
    printf("{\"type\":\"error\",\"what\":\"%s\"}\n", what);
    ++failures;
}

// ---- Partner threads ----------------------------------------------------------------------

Probe probe[probe_count];

namespace {

constexpr unsigned stack_count = 48;
constexpr uint64_t stack_bytes = 16384;
alignas(16) unsigned char stacks[stack_count][stack_bytes];
unsigned stacks_used = 0;
unsigned started = 0;
unsigned finished = 0; // written by partners (atomically), read by the main thread

} // namespace

void clear_probes() {
    memset(probe, 0, sizeof probe);
}

uint64_t spawn(void (*body)(uint64_t), uint64_t argument, uint8_t priority, Status* status) {
    // A stack is never reused: a partner that counted itself finished may not have left it yet.
    if (stacks_used == stack_count) {
        fail("out of partner stacks");
        return 0;
    }
    uint64_t id = 0;
    Status s = thread_create(body, stacks[stacks_used++] + stack_bytes, priority, argument, id);
    if (status) *status = s;
    if (s != Status::ok) {
        fail("thread_create failed");
        return 0;
    }
    ++started;
    return id;
}

void finish() {
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELEASE);
    (void)notify_signal(slot_done);
    thread_exit(0);
}

void join() {
    // Signals OR into one word, so count: a wake-up may stand for several partners.
    while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < started) {
        if (notify_wait(slot_done).status != Status::ok) {
            fail("join: notify_wait failed");
            return;
        }
    }
}

bool join_within(uint64_t ns) {
    const uint64_t deadline = now() + ns;
    while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < started) {
        const uint64_t t = now();
        if (t >= deadline || notify_wait(slot_done, deadline - t).status != Status::ok) break;
    }
    return __atomic_load_n(&finished, __ATOMIC_ACQUIRE) == started;
}

void let_partner_block() {
    sched_yield();
}

void pause_for(uint64_t ns) {
    // Nobody sends to the quiet endpoint: the receive times out.
    if (ipc_recv(slot_quiet, ns).status != Status::timed_out)
        fail("pause: receive did not time out");
}

uint8_t main_priority() {
    static uint8_t p = thread_self().priority;
    return p;
}

void receive_value(uint64_t i) {
    Received r = ipc_recv(slot_local);
    probe[i].status = r.status;
    probe[i].badge = r.badge;
    probe[i].tag = r.message.tag.raw();
    for (unsigned k = 0; k < mr_in_registers; ++k)
        probe[i].mr[k] = r.message.mr[k];
    probe[i].value = r.message.mr[0];
    finish();
}

void send_value(uint64_t i) {
    probe[i].status = ipc_send(slot_local, Message{Message_tag{0x71, 1}, {i}});
    finish();
}

void call_value(uint64_t i) {
    Received r = ipc_call(slot_local, Message{Message_tag{0x76, 1}, {i}});
    probe[i].status = r.status;
    probe[i].value = r.message.mr[0];
    finish();
}

uint64_t fnv1a(const unsigned char* p, uint64_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

// ---- The client's side of the server's protocol ------------------------------------------

namespace {

struct Server_state {
    Status last_error;
    uint64_t failed_receives;
};

Server_state query() {
    Received r = ipc_call(slot_service, Message{Message_tag{op_query, 0}, {}});
    if (r.status != Status::ok) fail("op_query failed");
    return Server_state{Status(r.message.mr[0]), r.message.mr[1]};
}

} // namespace

void prepare(Prepare what, uint64_t a, uint64_t b) {
    Received r = ipc_call(slot_service, Message{Message_tag{op_prepare, 3}, {what, a, b}});
    if (r.status != Status::ok || r.message.tag.label() != 0) fail("op_prepare failed");
}

void server_saw(Case& c, Status want) {
    Server_state s = query();
    c.status("server_status", s.last_error).num("server_failed_receives", s.failed_receives);
    c.want(s.last_error == want && s.failed_receives == (want == Status::ok ? 0 : 1),
           "server's receive status");
}

// ---- The server ---------------------------------------------------------------------------

namespace {

alignas(4096) unsigned char server_buffer[max_string_bytes];
Status last_error = Status::ok;
uint64_t failed_receives = 0;
uint64_t mapped_windows[4]; // windows a map item has filled (never unmapped)
unsigned mapped_count = 0;

/// The receive windows between cases; op_prepare changes them for one receive.
void arm_defaults(Utcb& u) {
    u.recv_string_addr = reinterpret_cast<uint64_t>(server_buffer);
    u.recv_string_capacity = sizeof server_buffer;
    u.recv_cap_slot = server_recv_cap_slot;
    u.recv_map_addr = map_window;
    u.recv_map_pages = 2;
}

bool window_mapped(uint64_t address) {
    for (unsigned i = 0; i < mapped_count; ++i)
        if (mapped_windows[i] == address) return true;
    return false;
}

Message echo(const Message& m, Utcb& u) {
    const unsigned n = m.tag.length();
    Message r{};
    uint64_t leaks = 0;
    for (unsigned i = 0; i < mr_in_registers; ++i) {
        if (i < n)
            r.mr[i] = m.mr[i] + 1;
        else
            leaks += m.mr[i] != 0;
    }
    for (unsigned i = mr_in_registers; i < n; ++i)
        ++u.mr[i];
    r.tag = Message_tag{leaks, n};
    return r;
}

Message use_cap(const Message& m) {
    Cap_info info = cap_info(server_recv_cap_slot);
    if (info.status != Status::ok) info = Cap_info{info.status, 0, 0, 0};
    Status used = Status::ok, deleted = Status::ok;
    if (m.tag.has_cap()) {
        if (info.type == object_notification)
            used = notify_signal(server_recv_cap_slot);
        else
            used =
                ipc_send(server_recv_cap_slot, Message{Message_tag{0, 1}, {0xcafe}}, timeout_zero);
        deleted = cap_delete(server_recv_cap_slot);
    }
    const uint64_t label = uint64_t(info.status) | uint64_t(used) << 8 | uint64_t(deleted) << 16;
    return Message{Message_tag{label, 4}, {m.tag.has_cap(), info.type, info.rights, info.badge}};
}

Message map_access(const Message& m, uint64_t received) {
    const uint64_t window = m.mr[3] ? m.mr[3] : map_window;
    uint64_t word = 0;
    if (window_mapped(window) && m.mr[0] < 8192)
        word = *reinterpret_cast<volatile uint64_t*>(window + m.mr[0]);
    if (window_mapped(window) && m.mr[1] < 8192)
        *reinterpret_cast<volatile uint64_t*>(window + m.mr[1]) = m.mr[2];
    return Message{Message_tag{0, 2}, {received, word}};
}

Message apply_prepare(const Message& m, Utcb& u) {
    switch (m.mr[0]) {
    case prepare_string_window:
        u.recv_string_addr = m.mr[1] == window_unmapped ? unmapped_address
                             : m.mr[1] == window_read_only
                                 ? reinterpret_cast<uint64_t>(&fnv1a) & ~uint64_t(4095)
                                 : reinterpret_cast<uint64_t>(server_buffer);
        u.recv_string_capacity = m.mr[2];
        break;
    case prepare_cap_slot:
        u.recv_cap_slot = m.mr[1];
        break;
    case prepare_map_window:
        u.recv_map_addr = m.mr[1];
        u.recv_map_pages = m.mr[2];
        break;
    default:
        return Message{Message_tag{0xbad, 0}, {}};
    }
    return Message{Message_tag{0, 0}, {}};
}

Message handle(const Received& in, Utcb& u, uint64_t map_received) {
    const Message& m = in.message;
    switch (m.tag.label()) {
    case op_echo:
        return echo(m, u);
    case op_string: {
        const uint64_t n = m.tag.has_string() ? u.recv_string_bytes : 0;
        const uint64_t h = fnv1a(server_buffer, n);
        for (uint64_t i = 0; i < n; ++i)
            server_buffer[i] ^= 0x5a;
        u.send_string_addr = reinterpret_cast<uint64_t>(server_buffer);
        u.send_string_bytes = n;
        return Message{Message_tag{0, 2, true}, {n, h}};
    }
    case op_cap:
        return use_cap(m);
    case op_map:
        return map_access(m, map_received);
    case op_prepare:
        return apply_prepare(m, u);
    case op_query: {
        Message r{Message_tag{0, 2}, {uint64_t(last_error), failed_receives}};
        last_error = Status::ok;
        failed_receives = 0;
        return r;
    }
    case op_badge:
        return Message{Message_tag{0, 2}, {in.badge, m.tag.by_thread_id()}};
    default:
        return Message{Message_tag{0xbad, 0}, {}};
    }
}

/// Answers every call with reply_recv; a receive that failed (the kernel refused the
/// message) is remembered for op_query and has no caller to answer.
[[noreturn]] void server() {
    Utcb& u = utcb();
    arm_defaults(u);
    Received m = ipc_recv(slot_service);
    for (;;) {
        // recv_map_received (and recv_string_bytes) mean something only with the tag's flag.
        const uint64_t map_used = u.recv_map_addr;
        const uint64_t map_received =
            m.status == Status::ok && m.message.tag.has_map() ? u.recv_map_received : 0;
        arm_defaults(u);
        if (m.status != Status::ok) {
            last_error = m.status;
            ++failed_receives;
            m = ipc_recv(slot_service);
            continue;
        }
        if (map_received && mapped_count < 4) mapped_windows[mapped_count++] = map_used;
        Message reply = handle(m, u, map_received);
        m = ipc_reply_recv(slot_service, reply);
    }
}

} // namespace

} // namespace ipc_ops

int main(int argc, char** argv) {
    using namespace ipc_ops;
    if (argc == 2 && !strcmp(argv[1], "server")) server();
    (void)main_priority();
    if (argc == 2 && !strcmp(argv[1], "client")) {
        transfer_cases();
        item_cases();
        control_cases();
        thread_cases();
    } else if (argc != 3 || strcmp(argv[1], "teardown") != 0 || !teardown_case(argv[2])) {
        fprintf(stderr, "usage: ipc_ops server | client | teardown endpoint|notification|inbox\n");
        return 2;
    }
    printf("{\"type\":\"ipc_ops\",\"cases\":%d,\"failures\":%d}\n", cases, failures);
    return failures ? 1 : 0;
}
