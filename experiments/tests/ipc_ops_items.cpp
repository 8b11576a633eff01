// ipc_ops cases about the items a message can carry besides its words: a capability (the
// grant right, the receiver's slot, using what arrived) and shared pages (map items).
#include "experiments/tests/ipc_ops.hpp"

namespace ipc_ops {

namespace {

// ---- A capability in a message ----------------------------------------------------------

Received call_with_cap(uint64_t via, uint64_t cap_slot) {
    utcb().send_cap_slot = cap_slot;
    return ipc_call(via, Message{Message_tag{op_cap, 0}.with(Message_tag::cap_bit, true), {}});
}

/// The server's report of the capability it got: cap flag, cap_info, use, deletion.
void server_cap_report(Case& c, const Received& r) {
    const uint64_t label = r.message.tag.label();
    c.num("server_cap_flag", r.message.mr[0])
        .num("object_type", r.message.mr[1])
        .num("rights", r.message.mr[2])
        .num("badge", r.message.mr[3])
        .status("server_info_status", Status(label & 0xff))
        .status("server_use_status", Status((label >> 8) & 0xff))
        .status("server_delete_status", Status(label >> 16));
}

void capabilities() {
    (void)notify_poll(slot_note);
    Received r = call_with_cap(slot_service, slot_note_a);
    Notified n = notify_poll(slot_note);
    {
        Case c("cap_transfer/notification", r.status);
        server_cap_report(c, r);
        c.num("word", n.word)
            .want(r.status == Status::ok && r.message.mr[0] == 1, "the capability arrived")
            .want(r.message.mr[1] == object_notification && r.message.mr[2] == right_send &&
                      r.message.mr[3] == 1,
                  "same object, rights and badge")
            .want(r.message.tag.label() == 0, "server used and deleted it")
            .want(n.word == 1, "the server's signal arrived with the capability's badge");
    }

    // An endpoint capability derived for the purpose; the server sends through it to a
    // partner thread of ours.
    constexpr uint64_t derived = 11;
    clear_probes();
    Status d = cap_derive(slot_local, derived, right_send, 99);
    spawn(receive_value, 0, main_priority());
    let_partner_block();
    r = call_with_cap(slot_service, derived);
    join();
    {
        Case c("cap_transfer/endpoint", r.status);
        server_cap_report(c, r);
        c.status("derive_status", d)
            .status("partner_status", probe[0].status)
            .num("partner_badge", probe[0].badge)
            .num("partner_mr0", probe[0].mr[0])
            .want(d == Status::ok && r.status == Status::ok && r.message.tag.label() == 0, "ok")
            .want(r.message.mr[0] == 1 && r.message.mr[1] == object_endpoint &&
                      r.message.mr[3] == 99,
                  "arrived")
            .want(probe[0].status == Status::ok && probe[0].badge == 99 && probe[0].mr[0] == 0xcafe,
                  "the server's message came through it");
    }
    (void)cap_delete(derived);

    r = call_with_cap(slot_service_plain, slot_note_a);
    {
        Case c("cap_transfer/without_grant", r.status);
        c.want(r.status == Status::insufficient_rights, "insufficient_rights");
        server_saw(c, Status::ok);
    }
    r = call_with_cap(slot_service, 200);
    {
        Case c("cap_transfer/empty_slot", r.status);
        c.want(r.status == Status::invalid_capability, "invalid_capability");
        server_saw(c, Status::ok);
    }
    struct Slot {
        const char* name;
        uint64_t slot;
    } refused[] = {{"cap_transfer/receive_slot_occupied", slot_service},
                   {"cap_transfer/no_receive_slot", 0}};
    for (const Slot& s : refused) {
        prepare(prepare_cap_slot, s.slot);
        r = call_with_cap(slot_service, slot_note_a);
        Case c(s.name, r.status);
        server_cap_report(c, r);
        c.want(r.status == Status::ok, "the message still goes through")
            .want(r.message.mr[0] == 0, "the receiver's cap flag is clear")
            .want(Status(r.message.tag.label() & 0xff) == Status::invalid_capability,
                  "nothing in the default slot");
    }
}

// ---- Shared pages -----------------------------------------------------------------------

alignas(4096) uint64_t shared[2][512];

Received call_with_map(uint64_t via, uint64_t address, uint64_t pages, bool writable,
                       const Message& m) {
    Utcb& u = utcb();
    u.send_map_addr = address;
    u.send_map_pages = pages;
    u.send_map_writable = writable;
    Message with = m;
    with.tag = m.tag.with(Message_tag::map_bit, true);
    return ipc_call(via, with);
}

void pages() {
    const uint64_t base = reinterpret_cast<uint64_t>(shared);
    const uint64_t no_write = ~uint64_t(0);
    shared[1][0] = 0xb0b;
    // Read the second page's first word, write the first page's second word.
    Received r = call_with_map(slot_service, base, 2, true,
                               Message{Message_tag{op_map, 4}, {4096, 8, 0xc0c, 0}});
    Case("map/share", r.status)
        .num("pages", r.message.mr[0])
        .num("server_read", r.message.mr[1])
        .num("client_sees", shared[0][1])
        .want(r.status == Status::ok && r.message.mr[0] == 2, "two pages arrived")
        .want(r.message.mr[1] == 0xb0b && shared[0][1] == 0xc0c, "writes visible both ways");

    shared[1][3] = 0xd0d; // after the mapping, without a map item
    r = ipc_call(slot_service, Message{Message_tag{op_map, 4}, {4096 + 24, 16, 0xe0e, 0}});
    Case("map/writes_after_sharing", r.status)
        .num("pages", r.message.mr[0])
        .num("server_read", r.message.mr[1])
        .num("client_sees", shared[0][2])
        .want(r.status == Status::ok && r.message.mr[0] == 0, "no pages this time")
        .want(r.message.mr[1] == 0xd0d && shared[0][2] == 0xe0e, "writes visible both ways");

    r = call_with_map(slot_service, base, 2, true,
                      Message{Message_tag{op_map, 4}, {0, no_write, 0, 0}});
    {
        Case c("map/window_already_mapped", r.status);
        c.want(r.status == Status::invalid_argument, "invalid_argument");
        server_saw(c, Status::invalid_argument);
    }
    prepare(prepare_map_window, map_window_small, 1);
    r = call_with_map(slot_service, base, 2, true,
                      Message{Message_tag{op_map, 4}, {0, no_write, 0, map_window_small}});
    {
        Case c("map/window_too_small", r.status);
        c.want(r.status == Status::message_too_long, "message_too_long");
        server_saw(c, Status::message_too_long);
    }
    prepare(prepare_map_window, map_window_read_only, 1);
    r = call_with_map(slot_service, base + 4096, 1, false,
                      Message{Message_tag{op_map, 4}, {24, no_write, 0, map_window_read_only}});
    Case("map/read_only", r.status)
        .num("pages", r.message.mr[0])
        .num("server_read", r.message.mr[1])
        .want(r.status == Status::ok && r.message.mr[0] == 1 && r.message.mr[1] == 0xd0d,
              "one page, readable");

    r = call_with_map(slot_service_plain, base, 1, true,
                      Message{Message_tag{op_map, 4}, {0, no_write, 0, 0}});
    {
        Case c("map/without_grant", r.status);
        c.want(r.status == Status::insufficient_rights, "insufficient_rights");
        server_saw(c, Status::ok);
    }
    const uint64_t code = reinterpret_cast<uint64_t>(&fnv1a) & ~uint64_t(4095);
    r = call_with_map(slot_service, code, 1, true,
                      Message{Message_tag{op_map, 4}, {0, no_write, 0, 0}});
    {
        Case c("map/writable_from_read_only_pages", r.status);
        c.want(r.status == Status::invalid_pointer, "invalid_pointer");
        server_saw(c, Status::ok);
    }
}

} // namespace

void item_cases() {
    capabilities();
    pages();
}

} // namespace ipc_ops
