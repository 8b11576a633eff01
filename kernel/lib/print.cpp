// Kernel console output: formatter and JSON escaping.
#include "lib/print.hpp"

#include <arch/console.hpp>

namespace kernel {

Writer& Writer::put(char c) {
    if (m_length == sizeof m_buffer) flush();
    m_buffer[m_length++] = c;
    return *this;
}

Writer& Writer::put(const char* s) {
    while (*s) put(*s++);
    return *this;
}

Writer& Writer::put(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) put(s[i]);
    return *this;
}

Writer& Writer::put(uint64_t v) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = char('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) put(digits[--n]);
    return *this;
}

Writer& Writer::put(int64_t v) {
    if (v < 0) {
        put('-');
        return put(uint64_t(0) - uint64_t(v));
    }
    return put(uint64_t(v));
}

Writer& Writer::put(Hex h) {
    put("0x");
    int shift = 60;
    while (shift > 0 && !((h.value >> shift) & 0xf)) shift -= 4;
    for (; shift >= 0; shift -= 4) put("0123456789abcdef"[(h.value >> shift) & 0xf]);
    return *this;
}

Writer& Writer::put_json_string(const char* s, size_t n) {
    put('"');
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            put('\\').put(char(c));
        } else if (c == '\n') {
            put("\\n");
        } else if (c < 0x20 || c >= 0x7f) {
            put("\\u00").put("0123456789abcdef"[c >> 4]).put("0123456789abcdef"[c & 0xf]);
        } else {
            put(char(c));
        }
    }
    return put('"');
}

Writer& Writer::put_json_string(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return put_json_string(s, n);
}

void Writer::flush() {
    if (m_length) arch::console_write(m_buffer, m_length);
    m_length = 0;
}

} // namespace kernel
