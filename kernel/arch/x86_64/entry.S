/* Kernel entry and exit: the syscall instruction, interrupts and exceptions, and the switch
 * between kernel stacks. Every entry from user mode saves the same User_frame
 * (include/arch/context.hpp) at the top of the thread's kernel stack. */

#define USER_CS 0x23
#define USER_SS 0x1b

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/* The callee-saved registers a suspended kernel context keeps on its stack, in the one order
 * switch_stacks, resume_stack and fast_switch_stacks (and Thread_context::init's start-up
 * stacks) agree on. */
.macro SAVE_CALLEE_SAVED
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro RESTORE_CALLEE_SAVED
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
.endm

/* Leaves to user mode from the User_frame at rsp, which a system call saved: the registers,
 * then rip, rflags and the user stack through sysret. No interrupt can arrive between the
 * switch to the user stack and sysret: IF is still clear. */
.macro SYSRET_FROM_FRAME
    POP_GPRS
    add $16, %rsp               /* vector, error */
    pop %rcx                    /* rip */
    add $8, %rsp                /* cs */
    pop %r11                    /* rflags */
    pop %rsp                    /* user stack */
    sysretq
.endm

.bss
.align 8
.global syscall_kernel_rsp
syscall_kernel_rsp: .quad 0     /* top of the running thread's kernel stack */
syscall_user_rsp:   .quad 0     /* scratch: one CPU, interrupts off in the kernel */

.text
/* syscall: rcx = user rip, r11 = user rflags, IF/DF/TF/AC cleared by FMASK. */
.global syscall_entry
syscall_entry:
    mov %rsp, syscall_user_rsp(%rip)
    mov syscall_kernel_rsp(%rip), %rsp
    push $USER_SS
    push syscall_user_rsp(%rip)
    push %r11
    push $USER_CS
    push %rcx
    push $0                     /* error code */
    push $-1                    /* vector: -1 marks a system call */
    PUSH_GPRS
    mov %rsp, %rdi
    /* ipc_call (-3), ipc_reply_recv (-5) and ipc_call_tid (-7) try the IPC fast path first
     * (ipc/fastpath.hpp): taken, it leaves to the partner; it returns true here only once
     * this thread has been resumed by the slow path, with its results in the frame. */
    cmp $-3, %rax
    je 1f
    cmp $-5, %rax
    je 4f
    cmp $-17, %rax
    je 5f
    cmp $-18, %rax
    je 6f
    cmp $-7, %rax
    jne 3f
    call fastpath_call_tid_entry
    jmp 2f
4:  call fastpath_reply_recv_entry
    jmp 2f
5:  call fastpath_comm_send_entry      /* comm_send, comm_recv: mpi_shim/kernel/comm_fastpath.cpp */
    jmp 2f
6:  call fastpath_comm_recv_entry
    jmp 2f
1:  call fastpath_call_entry
2:  test %al, %al
    jnz syscall_exit
    mov %rsp, %rdi
3:  call syscall_dispatch
syscall_exit:
    SYSRET_FROM_FRAME

.macro ISR_NOERR n
isr_\n:
    push $0
    push $\n
    jmp interrupt_common
.endm

.macro ISR_ERR n
isr_\n:
    push $\n
    jmp interrupt_common
.endm

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31
.altmacro
.set i, 32
.rept 16
    ISR_NOERR %i
    .set i, i + 1
.endr

interrupt_common:
    PUSH_GPRS
    cld
    mov %rsp, %rdi
    call interrupt_dispatch
.global return_from_interrupt
return_from_interrupt:
    POP_GPRS
    add $16, %rsp
    iretq

.macro ISR_ADDRESS n
    .quad isr_\n
.endm

.section .rodata
.align 8
.global isr_table
isr_table:
.set i, 0
.rept 48
    ISR_ADDRESS %i
    .set i, i + 1
.endr

.text
/* void switch_stacks(uint64_t* save_rsp, uint64_t new_rsp): saves the callee-saved
 * registers on the current kernel stack, stores its pointer and resumes the other stack. */
.global switch_stacks
switch_stacks:
    SAVE_CALLEE_SAVED
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    RESTORE_CALLEE_SAVED
    ret

/* void resume_stack(uint64_t rsp): like switch_stacks without saving anything. */
.global resume_stack
resume_stack:
    mov %rdi, %rsp
    RESTORE_CALLEE_SAVED
    ret

/* void fast_switch_stacks(uint64_t* save_rsp, User_frame* to): the IPC fast path's exit.
 * Saves the callee-saved registers on the current kernel stack (as switch_stacks does, so a
 * later switch_stacks to this thread returns from this call) and leaves to user mode from
 * `to`, the frame of a thread that is blocked in a system call, with sysret. */
.global fast_switch_stacks
fast_switch_stacks:
    SAVE_CALLEE_SAVED
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    SYSRET_FROM_FRAME

.section .note.GNU-stack, "", @progbits
