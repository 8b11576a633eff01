// Typed remote procedure calls over native IPC (seeds/004's IDL stubs, without a compiler):
// a method is declared once as a type, and the client stub and the server's dispatcher are
// made from it, so the opcode, the argument types and the message length are all checked.
#pragma once

#include <stdint.h>

#include "ipclab/message_stream.hpp"

namespace ipclab::rpc {

/// Tag label of an error reply, the largest label; opcodes lie below it.
inline constexpr uint64_t error_label = (uint64_t{1} << 52) - 1;

/// What went wrong above the IPC (Result::status says whether the IPC itself worked).
/// unknown_opcode and bad_length travel in MR0 of an error reply: never renumber.
enum class Error : uint64_t {
    none = 0,           ///< the call was answered by the method's handler
    unknown_opcode = 1, ///< the server has no handler for the request's opcode
    bad_length = 2,     ///< the request's length is not the method's, or it had a string item
    bad_reply = 3,      ///< the reply's label or length is not the method's (client's verdict)
};

/// Short name of an error ("bad_length"), for messages.
constexpr const char* error_name(Error e) {
    switch (e) {
    case Error::none: return "none";
    case Error::unknown_opcode: return "unknown_opcode";
    case Error::bad_length: return "bad_length";
    case Error::bad_reply: return "bad_reply";
    }
    return "unknown";
}

namespace detail {
template <class R> inline constexpr unsigned result_words = words_of<R>;
template <> inline constexpr unsigned result_words<void> = 0;
} // namespace detail

/// One method of a server's interface, declared once for client and server (an IDL line):
///   using Add = rpc::Method<Op::add, int64_t, int64_t, int64_t>;
/// Opcode (an integer or enumerator, below error_label), result type (or void), argument
/// types. A request's tag carries the opcode as label and request_words as length; its
/// arguments follow from MR0, each in words_of<T> registers. A reply carries the opcode
/// and reply_words, the result from MR0. Declare methods with `using`, not by deriving.
template <auto Opcode, class R, class... Args> struct Method {
    static constexpr uint64_t opcode = static_cast<uint64_t>(Opcode);
    using result = R;
    /// Lengths of request and reply in message registers.
    static constexpr unsigned request_words = (0u + ... + words_of<Args>);
    static constexpr unsigned reply_words = detail::result_words<R>;

    static_assert(opcode < error_label, "an opcode is a tag label (52 bits) below error_label");
    static_assert((Marshallable<Args> && ...),
                  "arguments are trivially copyable values, not pointers or arrays");
    static_assert(__is_same(R, void) || Marshallable<R>,
                  "results are trivially copyable values, not pointers or arrays");
    static_assert(request_words <= max_message_registers, "arguments exceed 64 registers");
    static_assert(reply_words <= max_message_registers, "result exceeds 64 registers");
};

/// What a call returns: the IPC's status, the RPC error, and the value when both are fine.
template <class T> struct [[nodiscard]] Result {
    Status status = Status::ok;
    Error error = Error::none;
    T value{};
    bool ok() const { return status == Status::ok && error == Error::none; }
};
template <> struct [[nodiscard]] Result<void> {
    Status status = Status::ok;
    Error error = Error::none;
    bool ok() const { return status == Status::ok && error == Error::none; }
};

/// Who calls, for a handler whose first parameter is a Caller: the badge of the client's
/// capability, the per-client datum that finds the client's state in O(1) (seeds/003).
struct Caller {
    uint64_t badge;      ///< the capability's badge, or the sender's thread id (by_thread_id)
    bool by_thread_id;   ///< the call was addressed to a thread id (ipc_call_tid)
};

/// A handler bound to method M; made by handle<M>(function).
template <class M, class F> struct Handler {
    static constexpr uint64_t opcode = M::opcode;
    F function;
};

/// Binds `function` to method M: handle<Add>([](int64_t a, int64_t b) { return a + b; }).
/// It takes M's argument types (optionally after a Caller) and returns M's result type.
template <class M, class F> Handler<M, F> handle(F function) { return {function}; }

namespace detail {

template <class M> struct Stub; // only rpc::Method has a stub

template <uint64_t... Opcodes> constexpr bool distinct() {
    const uint64_t ops[] = {Opcodes..., 0}; // the 0 only keeps the array non-empty
    for (unsigned i = 0; i < sizeof...(Opcodes); ++i)
        for (unsigned j = 0; j < i; ++j)
            if (ops[i] == ops[j]) return false;
    return true;
}

/// Register where argument `i` of Args starts: the words of the ones before it.
template <class... Args> constexpr unsigned offset_of(unsigned i) {
    const unsigned words[] = {words_of<Args>..., 0}; // the 0 only keeps the array non-empty
    unsigned offset = 0;
    for (unsigned j = 0; j < i; ++j)
        offset += words[j];
    return offset;
}

template <unsigned... I> struct Indices {};
template <unsigned N, unsigned... I> struct Make_indices : Make_indices<N - 1, N - 1, I...> {};
template <unsigned... I> struct Make_indices<0, I...> { using type = Indices<I...>; };

inline Message error_reply(Error e) {
    return Message{Message_tag{error_label, 1}, {static_cast<uint64_t>(e)}};
}

/// f(caller, args...) when f takes a Caller first, else f(args...).
template <class F, class... A> auto run_handler(F& f, Caller caller, A... args) {
    if constexpr (requires { f(caller, args...); })
        return f(caller, args...);
    else
        return f(args...);
}

/// Runs the handler on the arguments of a well-formed request and returns the reply. The
/// arguments are loaded before the handler runs and the result stored after it returns:
/// the request's MR4.. and the reply's share the UTCB, and the handler may do IPC itself.
template <auto Op, class R, class... Args, class F, unsigned... I>
Message invoke(Handler<Method<Op, R, Args...>, F>& h, Caller caller, const Message& request,
               Indices<I...>) {
    using M = Method<Op, R, Args...>;
    auto run = [&]() {
        return run_handler(h.function, caller, load_value<Args>(request, offset_of<Args...>(I))...);
    };
    Message reply{Message_tag{M::opcode, M::reply_words}, {}};
    if constexpr (__is_same(R, void))
        run();
    else
        store_value<R>(reply, 0, run());
    return reply;
}

template <auto Op, class R, class... Args, class F>
Message answer(Handler<Method<Op, R, Args...>, F>& h, const Received& request) {
    const Message_tag tag = request.message.tag;
    if (tag.length() != Method<Op, R, Args...>::request_words || tag.has_string() || tag.has_cap() || tag.has_map())
        return error_reply(Error::bad_length);
    return invoke(h, Caller{request.badge, tag.by_thread_id()}, request.message,
                  typename Make_indices<sizeof...(Args)>::type{});
}

/// The client's verdict on a reply to method M.
template <class M> Error reply_error(const Message& reply) {
    const Message_tag tag = reply.tag;
    const uint64_t code = reply.mr[0];
    if (tag.label() == error_label && tag.length() == 1 &&
        (code == uint64_t(Error::unknown_opcode) || code == uint64_t(Error::bad_length)))
        return Error(code);
    if (tag.label() != M::opcode || tag.length() != M::reply_words || tag.has_string() || tag.has_cap() ||
        tag.has_map())
        return Error::bad_reply;
    return Error::none;
}

template <auto Op, class R, class... Args> struct Stub<Method<Op, R, Args...>> {
    Result<R> operator()(uint64_t slot, const Args&... args) const {
        using M = Method<Op, R, Args...>;
        Message_writer request{M::opcode};
        (void)(request << ... << args); // fits: Method checked request_words
        Received reply = ipc_call(slot, request.message());
        Result<R> out;
        out.status = reply.status;
        if (out.status != Status::ok) return out;
        out.error = reply_error<M>(reply.message);
        if constexpr (!__is_same(R, void))
            if (out.error == Error::none) out.value = load_value<R>(reply.message, 0);
        return out;
    }
};

/// A receive failure that every further receive would repeat: the server's own slot or
/// string window is wrong.
constexpr bool server_fault(Status s) {
    return s == Status::invalid_capability || s == Status::wrong_object_type ||
           s == Status::insufficient_rights || s == Status::invalid_pointer;
}

} // namespace detail

/// Calls method M through the endpoint capability in `slot` (send right) and waits for the
/// reply (ipc_call): `Result<int64_t> r = rpc::call<Add>(slot, 2, 2);`. The arguments
/// convert to M's argument types as in a function call; a wrong number or type does not
/// compile. Result::status is ipc_call's status (a capability error, message_too_long,
/// reply_dropped, ...); if it is ok, Result::error is the server's unknown_opcode or
/// bad_length, or bad_reply when the reply is not M's; if both are fine, Result::value
/// holds the result. Overwrites MR4.. in the UTCB.
template <class M> inline constexpr detail::Stub<M> call{};

/// The reply to a received request (status ok), made by the handler whose opcode is the
/// request's label after checking the request's length against its method: the result
/// under the method's opcode, or an error reply (label error_label, MR0 the Error) for
/// unknown_opcode or bad_length. The reply's MR4.. are in the UTCB: send it next.
/// Semantics: seeds/004's server ("IPC wait, unmarshal opcode, unmarshal data, execute
/// function, marshal return value or error, IPC reply").
template <class... H> Message dispatch(const Received& request, H&... handlers) {
    static_assert(detail::distinct<H::opcode...>(), "two handlers for one opcode");
    Message reply = detail::error_reply(Error::unknown_opcode);
    // The first handler whose opcode matches answers ('||' stops there).
    (void)((request.message.tag.label() == H::opcode &&
            (reply = detail::answer(handlers, request), true)) ||
           ...);
    return reply;
}

/// Serves requests on the endpoint in `slot` (receive right) for ever with `handlers`:
/// receive, then dispatch and reply_recv (seL4's server loop). A request the kernel could
/// not deliver (a string item the server has no window for: message_too_long, which the
/// client sees too) is skipped. Returns only when a receive fails in a way every receive
/// would: invalid_capability, wrong_object_type, insufficient_rights, invalid_pointer.
template <class... H> Status serve(uint64_t slot, H... handlers) {
    Received request = ipc_recv(slot);
    for (;;) {
        if (request.status == Status::ok)
            request = ipc_reply_recv(slot, dispatch(request, handlers...));
        else if (detail::server_fault(request.status))
            return request.status;
        else
            request = ipc_recv(slot);
    }
}

} // namespace ipclab::rpc
