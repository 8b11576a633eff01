// Kernel console output: a small type-safe formatter and a JSON-line writer.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel {

/// Prints an unsigned value in hexadecimal ("0x1f").
struct Hex {
    uint64_t value;
};

/// Accumulates text into a fixed buffer and writes it to the console when full or done.
/// Text longer than the buffer goes out in several pieces; nothing can interleave with them,
/// as the kernel is not preemptible.
class Writer {
public:
    Writer& put(char c);
    Writer& put(const char* s);
    Writer& put(const char* s, size_t n);
    Writer& put(uint64_t v);
    Writer& put(int64_t v);
    Writer& put(unsigned v) { return put(uint64_t(v)); }
    Writer& put(int v) { return put(int64_t(v)); }
    Writer& put(unsigned long long v) { return put(uint64_t(v)); }
    Writer& put(long long v) { return put(int64_t(v)); }
    Writer& put(bool v) { return put(v ? "true" : "false"); }
    Writer& put(Hex h);
    /// A JSON string literal with quotes and escapes.
    Writer& put_json_string(const char* s, size_t n);
    Writer& put_json_string(const char* s);
    void flush();
    ~Writer() { flush(); }

private:
    char m_buffer[512];
    size_t m_length = 0;
};

/// Marks the start of a kernel record on the console. The kernel removes it from task output
/// (linux_compat.cpp), so a task cannot forge a kernel event.
inline constexpr char kernel_record_mark = '\x1e';

/// One JSON object on one console line, after the record mark:
/// `\x1e{"event":"fault","task":"a",...}`. Every machine-readable kernel report uses it; the
/// harness and the tests trust only these lines as kernel events.
class Json_line {
public:
    explicit Json_line(const char* event) {
        m_out.put(kernel_record_mark);
        m_out.put("{\"event\":");
        m_out.put_json_string(event);
    }
    Json_line& field(const char* key, const char* value) {
        key_(key);
        m_out.put_json_string(value);
        return *this;
    }
    Json_line& field(const char* key, char* value) { return field(key, static_cast<const char*>(value)); }
    Json_line& field(const char* key, const char* value, size_t n) {
        key_(key);
        m_out.put_json_string(value, n);
        return *this;
    }
    template <typename T> Json_line& field(const char* key, T value) {
        key_(key);
        m_out.put(value);
        return *this;
    }
    Json_line& field(const char* key, Hex value) {
        key_(key);
        m_out.put('"').put(value).put('"');
        return *this;
    }
    ~Json_line() { m_out.put("}\n"); }

private:
    void key_(const char* key) {
        m_out.put(',');
        m_out.put_json_string(key);
        m_out.put(':');
    }
    Writer m_out;
};

/// Formats `fmt`, replacing each "{}" with the next argument, and prints it.
inline void print_rest(Writer& w, const char* fmt) { w.put(fmt); }
template <typename T, typename... Rest>
void print_rest(Writer& w, const char* fmt, T first, Rest... rest) {
    for (; *fmt; ++fmt) {
        if (fmt[0] == '{' && fmt[1] == '}') {
            w.put(first);
            print_rest(w, fmt + 2, rest...);
            return;
        }
        w.put(*fmt);
    }
}
template <typename... Args> void print(const char* fmt, Args... args) {
    Writer w;
    print_rest(w, fmt, args...);
}

} // namespace kernel
