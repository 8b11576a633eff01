// Parser of the run description (format in docs/run-description.md). Line oriented, one
// directive per line, '#' starts a comment; every error names its line.
#include "boot/manifest.hpp"

#include <string.h>

#include "abi/capability.hpp"

namespace kernel {

namespace {

struct Token {
    const char* p = nullptr;
    size_t n = 0;
    bool is(const char* s) const { return strlen(s) == n && !memcmp(p, s, n); }
    bool starts(const char* prefix) const { return n >= strlen(prefix) && !memcmp(p, prefix, strlen(prefix)); }
    Token after(const char* prefix) const { return Token{p + strlen(prefix), n - strlen(prefix)}; }
};

constexpr unsigned max_tokens = 1100;
/// Words of the line being parsed; static because a communicator line of a 1024-rank run
/// is too large for a kernel stack.
Token tokens[max_tokens];

class Parser {
public:
    Parser(Manifest& m, Manifest_error& e, unsigned modules, Token* words)
        : m(m), err(e), module_count(modules), tok(words) {}

    bool line(unsigned number, const char* p, size_t n);
    bool finish();

private:
    bool fail(const char* message, const Token* t = nullptr);
    bool number(const Token& t, uint64_t& v, uint64_t max);
    bool name(const Token& t, char (&out)[Manifest::name_bytes]);
    bool task_index(const Token& t, uint32_t& index);
    int object_index(const Token& t) const;

    bool directive_object(Manifest::Kind kind);
    bool directive_communicator();
    bool directive_task();
    bool directive_cap();
    bool directive_env();
    bool directive_send_timeout();
    bool directive_rights();
    /// `chief MODULE CHIEF-MODULE` and `monitor MODULE MONITOR-MODULE`.
    bool directive_overseer(bool chief);
    /// `kill MODULE POINT NTH` (fault injection, docs/fault-injection.md).
    bool directive_kill();
    /// The communicator a token names (index into objects[]).
    bool communicator_index(const Token& t, uint32_t& index);
    /// A rank of communicator `object` or '*' (-1).
    bool rank_or_all(const Token& t, uint32_t object, int32_t& rank);

    Manifest& m;
    Manifest_error& err;
    unsigned module_count;
    unsigned current_line = 0;
    bool seen_header = false;
    Token* tok;
    unsigned count = 0;
};

bool Parser::fail(const char* message, const Token* t) {
    err.line = current_line;
    size_t i = 0;
    auto put = [&](const char* s, size_t n) {
        for (size_t k = 0; k < n && i + 1 < sizeof err.message; ++k) err.message[i++] = s[k];
    };
    put(message, strlen(message));
    if (t) {
        put(": '", 3);
        put(t->p, t->n);
        put("'", 1);
    }
    err.message[i] = 0;
    return false;
}

bool Parser::number(const Token& t, uint64_t& v, uint64_t max) {
    if (t.n == 0 || t.n > 19) return fail("expected a number", &t);
    v = 0;
    for (size_t i = 0; i < t.n; ++i) {
        if (t.p[i] < '0' || t.p[i] > '9') return fail("expected a number", &t);
        v = v * 10 + uint64_t(t.p[i] - '0');
    }
    if (v > max) return fail("number out of range", &t);
    return true;
}

bool Parser::name(const Token& t, char (&out)[Manifest::name_bytes]) {
    if (t.n == 0 || t.n >= Manifest::name_bytes) return fail("name empty or longer than 31 characters", &t);
    for (size_t i = 0; i < t.n; ++i) {
        char c = t.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.';
        if (!ok) return fail("names use letters, digits, '_', '-' and '.'", &t);
        out[i] = c;
    }
    out[t.n] = 0;
    return true;
}

bool Parser::task_index(const Token& t, uint32_t& index) {
    uint64_t module = 0;
    if (!number(t, module, 0xffffffff)) return false;
    int i = m.task_of_module(uint32_t(module));
    if (i < 0) return fail("no task line for this module (task lines come first)", &t);
    index = uint32_t(i);
    return true;
}

int Parser::object_index(const Token& t) const {
    for (unsigned i = 0; i < m.object_count; ++i)
        if (t.is(m.objects[i].name)) return int(i);
    return -1;
}

bool Parser::directive_object(Manifest::Kind kind) {
    if (count != 2) return fail(kind == Manifest::Kind::endpoint ? "usage: endpoint NAME" : "usage: notification NAME");
    if (object_index(tok[1]) >= 0) return fail("object declared twice", &tok[1]);
    if (m.object_count == Manifest::max_objects) return fail("too many objects");
    Manifest::Object& o = m.objects[m.object_count];
    if (!name(tok[1], o.name)) return false;
    o.kind = kind;
    ++m.object_count;
    return true;
}

bool Parser::directive_communicator() {
    if (count < 4) return fail("usage: communicator NAME SLOT MODULE...");
    if (object_index(tok[1]) >= 0) return fail("object declared twice", &tok[1]);
    if (m.object_count == Manifest::max_objects) return fail("too many objects");
    Manifest::Object& o = m.objects[m.object_count];
    if (!name(tok[1], o.name)) return false;
    uint64_t slot;
    if (!number(tok[2], slot, ipclab::cap_slots - 1)) return false;
    if (slot == ipclab::slot_null) return fail("slot 0 is never used", &tok[2]);
    o.kind = Manifest::Kind::communicator;
    o.slot = uint32_t(slot);
    o.first_member = m.member_count;
    o.member_count = count - 3;
    if (m.member_count + o.member_count > Manifest::max_members) return fail("too many communicator members");
    for (unsigned i = 3; i < count; ++i) {
        uint32_t t;
        if (!task_index(tok[i], t)) return false;
        for (unsigned k = o.first_member; k < m.member_count; ++k)
            if (m.members[k] == t) return fail("task listed twice in one communicator", &tok[i]);
        m.members[m.member_count++] = t;
    }
    ++m.object_count;
    return true;
}

bool Parser::communicator_index(const Token& t, uint32_t& index) {
    const int o = object_index(t);
    if (o < 0 || m.objects[o].kind != Manifest::Kind::communicator) return fail("no communicator of this name", &t);
    index = uint32_t(o);
    return true;
}

bool Parser::rank_or_all(const Token& t, uint32_t object, int32_t& rank) {
    if (t.is("*")) {
        rank = -1;
        return true;
    }
    uint64_t v = 0;
    if (!number(t, v, m.objects[object].member_count - 1)) return false;
    rank = int32_t(v);
    return true;
}

bool Parser::directive_send_timeout() {
    if (count != 3) return fail("usage: send_timeout COMMUNICATOR NANOSECONDS");
    uint32_t o = 0;
    uint64_t ns = 0;
    if (!communicator_index(tok[1], o) || !number(tok[2], ns, ~uint64_t(0) - 1)) return false;
    if (ns == 0) return fail("a send timeout of 0 would fail every send", &tok[2]);
    m.objects[o].send_timeout = ns;
    return true;
}

bool Parser::directive_rights() {
    if (count != 5 || !(tok[2].is("allow") || tok[2].is("deny")))
        return fail("usage: rights COMMUNICATOR allow|deny FROM-RANK|* TO-RANK|*");
    if (m.right_count == Manifest::max_rights) return fail("too many rights lines");
    Manifest::Right& r = m.rights[m.right_count];
    if (!communicator_index(tok[1], r.object) || !rank_or_all(tok[3], r.object, r.from) ||
        !rank_or_all(tok[4], r.object, r.to))
        return false;
    r.allowed = tok[2].is("allow");
    ++m.right_count;
    return true;
}

bool Parser::directive_overseer(bool chief) {
    if (count != 3) return fail(chief ? "usage: chief MODULE CHIEF-MODULE" : "usage: monitor MODULE MONITOR-MODULE");
    uint32_t task = 0, overseer = 0;
    if (!task_index(tok[1], task) || !task_index(tok[2], overseer)) return false;
    if (task == overseer) return fail(chief ? "a task cannot be its own chief" : "a task cannot be its own monitor", &tok[2]);
    int32_t& field = chief ? m.tasks[task].chief : m.tasks[task].monitor;
    if (field >= 0) return fail(chief ? "task has two chief lines" : "task has two monitor lines", &tok[1]);
    field = int32_t(overseer);
    return true;
}

bool Parser::directive_kill() {
    if (count != 4) return fail("usage: kill MODULE POINT NTH");
    uint32_t task = 0;
    if (!task_index(tok[1], task)) return false;
    Manifest::Task& t = m.tasks[task];
    if (t.kill_point != fault_injection::Point::none) return fail("task has two kill lines", &tok[1]);
    if (!fault_injection::point_named(tok[2].p, tok[2].n, t.kill_point))
        return fail("unknown kill point (the list is kernel/task/kill_points.def)", &tok[2]);
    uint64_t nth = 0;
    if (!number(tok[3], nth, 0xffffffff)) return false;
    if (nth == 0) return fail("NTH counts from 1", &tok[3]);
    t.kill_nth = uint32_t(nth);
    ++m.kill_count;
    return true;
}

bool Parser::directive_task() {
    if (count < 2) return fail("usage: task MODULE name=NAME [daemon] [root] [stack=KIB] [prio=0..255] [mcp=0..255]");
    uint64_t module = 0;
    if (!number(tok[1], module, 0xffffffff)) return false;
    if (module == 0 || module >= module_count) return fail("no boot module with this number", &tok[1]);
    if (m.task_of_module(uint32_t(module)) >= 0) return fail("module has two task lines", &tok[1]);
    if (m.task_count == Manifest::max_tasks) return fail("too many tasks");
    Manifest::Task& t = m.tasks[m.task_count];
    t = Manifest::Task{uint32_t(module), {}, false, false, default_stack_kib, default_priority, default_priority, -1, -1,
                       fault_injection::Point::none, 0};
    bool named = false, mcp_given = false;
    for (unsigned i = 2; i < count; ++i) {
        if (tok[i].is("daemon")) {
            t.daemon = true;
        } else if (tok[i].is("root")) {
            t.root = true;
        } else if (tok[i].starts("name=")) {
            if (!name(tok[i].after("name="), t.name)) return false;
            named = true;
        } else if (tok[i].starts("prio=")) {
            uint64_t prio = 0;
            if (!number(tok[i].after("prio="), prio, 255)) return false;
            t.priority = uint8_t(prio);
        } else if (tok[i].starts("mcp=")) {
            uint64_t mcp = 0;
            if (!number(tok[i].after("mcp="), mcp, 255)) return false;
            t.max_priority = uint8_t(mcp);
            mcp_given = true;
        } else if (tok[i].starts("stack=")) {
            uint64_t kib = 0;
            if (!number(tok[i].after("stack="), kib, 64 * 1024)) return false;
            if (kib < 8) return fail("stack must be at least 8 KiB", &tok[i]);
            t.stack_kib = uint32_t(kib);
        } else {
            return fail("unknown task option", &tok[i]);
        }
    }
    if (!named) return fail("task needs name=NAME");
    if (!mcp_given) t.max_priority = t.priority;
    ++m.task_count;
    return true;
}

bool Parser::directive_cap() {
    if (count < 5 || count > 6) return fail("usage: cap MODULE SLOT OBJECT RIGHTS [badge=N]");
    if (m.cap_count == Manifest::max_caps) return fail("too many capabilities");
    Manifest::Cap& c = m.caps[m.cap_count];
    if (!task_index(tok[1], c.task)) return false;
    uint64_t slot;
    if (!number(tok[2], slot, ipclab::cap_slots - 1)) return false;
    if (slot == ipclab::slot_null) return fail("slot 0 is never used", &tok[2]);
    c.slot = uint32_t(slot);
    int o = object_index(tok[3]);
    if (o < 0) return fail("no object of this name (declare it first)", &tok[3]);
    // A communicator capability's badge is the holder's rank: only the communicator line,
    // which makes the task a member at that rank, may give one.
    if (m.objects[o].kind == Manifest::Kind::communicator)
        return fail("capabilities to a communicator come from its communicator line", &tok[3]);
    c.object = uint32_t(o);
    c.rights = 0;
    if (!tok[4].is("-")) {
        for (size_t i = 0; i < tok[4].n; ++i) {
            switch (tok[4].p[i]) {
            case 's': c.rights |= ipclab::right_send; break;
            case 'r': c.rights |= ipclab::right_receive; break;
            case 'g': c.rights |= ipclab::right_grant; break;
            default: return fail("rights are letters from 's', 'r', 'g', or '-'", &tok[4]);
            }
        }
    }
    c.badge = 0;
    if (count == 6) {
        if (!tok[5].starts("badge=")) return fail("expected badge=N", &tok[5]);
        if (!number(tok[5].after("badge="), c.badge, ~0ull)) return false;
    }
    ++m.cap_count;
    return true;
}

bool Parser::directive_env() {
    if (count != 3) return fail("usage: env MODULE|all KEY=VALUE (no spaces)");
    if (m.env_count == Manifest::max_env) return fail("too many env lines");
    Manifest::Env& e = m.env[m.env_count];
    if (tok[1].is("all"))
        e.task = Manifest::all_tasks;
    else if (!task_index(tok[1], e.task))
        return false;
    bool has_equals = false;
    for (size_t i = 0; i < tok[2].n; ++i) has_equals |= tok[2].p[i] == '=';
    if (!has_equals || tok[2].p[0] == '=') return fail("expected KEY=VALUE", &tok[2]);
    e.text = tok[2].p;
    e.length = uint32_t(tok[2].n);
    ++m.env_count;
    return true;
}

bool Parser::line(unsigned number_, const char* p, size_t n) {
    current_line = number_;
    count = 0;
    for (size_t i = 0; i < n;) {
        if (p[i] == '#') break;
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '#') ++i;
        if (count == max_tokens) return fail("line has too many words");
        tok[count++] = Token{p + start, i - start};
    }
    if (count == 0) return true;
    if (!seen_header) {
        if (count != 2 || !tok[0].is("ipclab-run") || !tok[1].is("1"))
            return fail("the description must start with 'ipclab-run 1'");
        seen_header = true;
        return true;
    }
    const Token& d = tok[0];
    if (d.is("policy")) {
        if (count != 2) return fail("usage: policy NAME");
        return name(tok[1], m.policy);
    }
    if (d.is("selftest")) {
        if (count != 2 || !tok[1].is("panic")) return fail("usage: selftest panic");
        m.selftest_panic = true;
        return true;
    }
    if (d.is("fastpath")) {
        if (count != 2 || !(tok[1].is("on") || tok[1].is("off"))) return fail("usage: fastpath on|off");
        m.fastpath_off = tok[1].is("off");
        return true;
    }
    if (d.is("endpoint")) return directive_object(Manifest::Kind::endpoint);
    if (d.is("notification")) return directive_object(Manifest::Kind::notification);
    if (d.is("communicator")) return directive_communicator();
    if (d.is("task")) return directive_task();
    if (d.is("cap")) return directive_cap();
    if (d.is("env")) return directive_env();
    if (d.is("send_timeout")) return directive_send_timeout();
    if (d.is("rights")) return directive_rights();
    if (d.is("chief")) return directive_overseer(true);
    if (d.is("monitor")) return directive_overseer(false);
    if (d.is("kill")) return directive_kill();
    return fail("unknown directive", &d);
}

bool Parser::finish() {
    current_line = 0;
    if (!seen_header) return fail("empty run description");
    if (!m.policy[0]) return fail("no policy line");
    for (unsigned module = 1; module < module_count; ++module) {
        if (m.task_of_module(module) >= 0) continue;
        char digits[12];
        size_t n = 0;
        for (unsigned v = module; v || !n; v /= 10) digits[n++] = char('0' + v % 10);
        char text[12];
        for (size_t i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
        Token t{text, n};
        return fail("a boot module has no task line", &t);
    }
    return true;
}

} // namespace

int Manifest::task_of_module(uint32_t module) const {
    for (unsigned i = 0; i < task_count; ++i)
        if (tasks[i].module == module) return int(i);
    return -1;
}

bool parse_manifest(const char* text, size_t length, unsigned module_count, Manifest& out, Manifest_error& error) {
    memset(&out, 0, sizeof out);
    memset(&error, 0, sizeof error);
    Parser parser(out, error, module_count, tokens);
    unsigned line_number = 0;
    size_t start = 0;
    for (size_t i = 0; i <= length; ++i) {
        if (i == length || text[i] == '\n') {
            ++line_number;
            if (!parser.line(line_number, text + start, i - start)) return false;
            start = i + 1;
        }
    }
    return parser.finish();
}

} // namespace kernel
