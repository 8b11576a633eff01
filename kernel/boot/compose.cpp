// Composition of a run: objects, tasks (program, stack, first thread), capabilities and
// communicator groups, in the order of the run description.
#include "boot/compose.hpp"

#include <arch/memory.hpp>

#include "boot/elf_loader.hpp"
#include "boot/user_stack.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/notification.hpp"
#include "lib/print.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

Kobject* objects[Manifest::max_objects];
Task* tasks[Manifest::max_tasks];
Thread* threads[Manifest::max_tasks];

bool boot_error(const char* message, const Manifest::Task* task = nullptr, const char* detail = nullptr) {
    Json_line line("boot_error");
    line.field("message", message);
    if (task) line.field("module", task->module).field("task", task->name);
    if (detail) line.field("detail", detail);
    return false;
}

bool create_objects(const Manifest& m) {
    for (unsigned i = 0; i < m.object_count; ++i) {
        const Manifest::Object& o = m.objects[i];
        Status s = Status::out_of_memory;
        switch (o.kind) {
        case Manifest::Kind::endpoint: objects[i] = Endpoint::create(kernel_account()); break;
        case Manifest::Kind::notification: objects[i] = Notification::create(kernel_account()); break;
        case Manifest::Kind::communicator: objects[i] = Communicator::create(o.member_count, kernel_account(), s); break;
        }
        if (!objects[i]) return boot_error("cannot create object", nullptr, o.name);
        objects[i]->acquire(); // held by the composer until every capability is in place
        if (o.kind == Manifest::Kind::communicator && o.send_timeout)
            static_cast<Communicator*>(objects[i])->set_send_timeout(o.send_timeout);
    }
    for (unsigned i = 0; i < m.right_count; ++i) {
        const Manifest::Right& r = m.rights[i];
        if (static_cast<Communicator*>(objects[r.object])->set_right(r.from, r.to, r.allowed) != Status::ok)
            return boot_error("cannot create rights table", nullptr, m.objects[r.object].name);
    }
    return true;
}

bool create_task(const Boot_info& info, const Manifest& m, unsigned index) {
    const Manifest::Task& spec = m.tasks[index];
    const Boot_module& module = info.modules[spec.module];
    const auto* image = static_cast<const uint8_t*>(arch::phys_to_virt(module.phys_start));
    const size_t size = module.phys_end - module.phys_start;

    Elf_image elf;
    const char* problem;
    if (!inspect_elf(image, size, elf, problem)) return boot_error("program rejected", &spec, problem);
    Status s;
    Task* task = Task::create(spec.name, s);
    if (!task) return boot_error("cannot create task", &spec, ipclab::status_name(s));
    tasks[index] = task;
    task->daemon = spec.daemon;
    task->root = spec.root;
    task->max_priority = spec.max_priority;
    if (spec.kill_point != fault_injection::Point::none) {
        task->kill = fault_injection::Directive{spec.kill_point, spec.kill_nth, 0};
        fault_injection::armed = true;
    }
    s = load_elf(image, task->space());
    if (s != Status::ok) return boot_error("cannot load program", &spec, ipclab::status_name(s));
    const uint64_t stack_bytes = uint64_t(spec.stack_kib) * 1024;
    s = task->space().map_zeroed(Layout::stack_top - stack_bytes, stack_bytes, {true, false});
    if (s != Status::ok) return boot_error("cannot map stack", &spec, ipclab::status_name(s));
    task->space().init_break(page_round_up(elf.end));

    Thread* t = Thread::create(*task, elf.entry, 0, spec.priority, s);
    if (!t) return boot_error("cannot create thread", &spec, ipclab::status_name(s));
    threads[index] = t;
    uint64_t rsp;
    Stack_request request{module.cmdline, &m, index, &elf, t->utcb_address(), task->id()};
    if (!build_user_stack(task->space(), request, rsp, problem)) return boot_error("cannot build stack", &spec, problem);
    t->frame().set_stack_pointer(rsp);
    return true;
}

bool grant_capabilities(const Manifest& m) {
    for (unsigned i = 0; i < m.cap_count; ++i) {
        const Manifest::Cap& c = m.caps[i];
        if (tasks[c.task]->caps().insert(c.slot, *objects[c.object], c.rights, c.badge) != Status::ok)
            return boot_error("capability slot used twice", &m.tasks[c.task]);
    }
    for (unsigned i = 0; i < m.object_count; ++i) {
        const Manifest::Object& o = m.objects[i];
        if (o.kind != Manifest::Kind::communicator) continue;
        auto* comm = static_cast<Communicator*>(objects[i]);
        for (uint32_t rank = 0; rank < o.member_count; ++rank) {
            const uint32_t t = m.members[o.first_member + rank];
            comm->set_member(int32_t(rank), *tasks[t]);
            // The badge is the rank: the kernel, not the task, says who sends. The grant right
            // is the communicator's management right (send timeout, breaking down sends).
            if (tasks[t]->caps().insert(o.slot, *comm, ipclab::rights_all, rank) != Status::ok)
                return boot_error("communicator slot already used", &m.tasks[t], o.name);
        }
    }
    return true;
}

} // namespace

bool compose(const Boot_info& info, const Manifest& m) {
    if (!create_objects(m)) return false;
    for (unsigned i = 0; i < m.task_count; ++i)
        if (!create_task(info, m, i)) return false;
    if (!grant_capabilities(m)) return false;
    for (unsigned i = 0; i < m.task_count; ++i) { // clans and reference monitors, by thread id
        if (m.tasks[i].chief >= 0) tasks[i]->chief = threads[m.tasks[i].chief]->id();
        if (m.tasks[i].monitor >= 0) tasks[i]->monitor = threads[m.tasks[i].monitor]->id();
    }
    for (unsigned i = 0; i < m.object_count; ++i) objects[i]->release();
    for (unsigned i = 0; i < m.task_count; ++i) tasks[i]->start_thread(*threads[i]);
    return true;
}

} // namespace kernel
