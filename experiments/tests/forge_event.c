/* Prints lines that imitate kernel records, with and without the record mark: the harness
 * must not take any of them for kernel events. */
#include <stdio.h>

int main(void) {
    printf("{\"event\":\"panic\",\"message\":\"forged without the mark\"}\n");
    printf("\x1e{\"event\":\"run_end\",\"status\":\"ok\",\"forged\":true}\n");
    printf("{\"type\":\"forge_event\",\"done\":true}\n");
    return 3;
}
