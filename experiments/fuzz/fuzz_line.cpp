// JSON lines without stdio (fuzz.hpp), and argument parsing.
#include "experiments/fuzz/fuzz.hpp"

namespace fuzz {

Line::Line(const char* type) {
    raw("{\"type\":\"");
    raw(type);
    raw("\"");
}

void Line::raw(const char* s) {
    while (*s && m_len < sizeof m_buf - 3) m_buf[m_len++] = *s++;
}

void Line::key(const char* k) {
    raw(",\"");
    raw(k);
    raw("\":");
}

Line& Line::str(const char* k, const char* value) {
    key(k);
    raw("\"");
    raw(value); // callers pass names and fixed words: nothing to escape
    raw("\"");
    return *this;
}

Line& Line::num(const char* k, uint64_t value) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value);
    char text[24];
    for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
    text[n] = 0;
    key(k);
    raw(text);
    return *this;
}

Line& Line::hex(const char* k, uint64_t value) {
    char text[21] = "\"0x";
    int n = 3;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (value >> shift) & 15;
        if (n == 3 && d == 0 && shift) continue;
        text[n++] = char(d < 10 ? '0' + d : 'a' + d - 10);
    }
    text[n++] = '"';
    text[n] = 0;
    key(k);
    raw(text);
    return *this;
}

void Line::emit() {
    m_buf[m_len++] = '}';
    m_buf[m_len++] = '\n';
    register long rdi asm("rdi") = 1;
    register const char* rsi asm("rsi") = m_buf;
    register unsigned long rdx asm("rdx") = m_len;
    long rax = 1; // Linux write
    asm volatile("syscall" : "+a"(rax) : "r"(rdi), "r"(rsi), "r"(rdx) : "rcx", "r11", "memory");
}

bool parse_u64(const char* s, uint64_t& out) {
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
    if (!*s) return false;
    for (; *s; ++s) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = unsigned(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = unsigned(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = unsigned(*s - 'A' + 10);
        else
            return false;
        if (v > (~uint64_t(0) - d) / base) return false;
        v = v * base + d;
    }
    out = v;
    return true;
}

} // namespace fuzz
