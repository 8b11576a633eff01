/* Does a little work and reports it: the bystander in the fault and preemption tests.
 * usage: worker NAME [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    const char* name = argc > 1 ? argv[1] : "worker";
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
    unsigned long long sum = 0;
    for (long i = 0; i < rounds; ++i) sum += (unsigned long long)i * (unsigned long long)i;
    printf("{\"type\":\"worker\",\"name\":\"%s\",\"rounds\":%ld,\"sum\":%llu}\n", name, rounds, sum);
    return 0;
}
