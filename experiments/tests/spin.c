/* Spins forever without a system call: only the timer interrupt can take the CPU away. */
int main(void) {
    for (;;) __asm__ volatile("" ::: "memory");
}
