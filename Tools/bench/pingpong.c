/* 64-byte TCP ping-pong over loopback: the round-trip floor a request/response protocol can
 * reach on this machine. A forked child echoes; the parent times each round trip with
 * CLOCK_MONOTONIC and prints {"messageBytes":..,"roundTrips":..,"p50us":..,...} as JSON.
 * Usage: pingpong [round trips] [message bytes] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static void full_io(int fd, char *buffer, size_t bytes, int writing) {
    size_t done = 0;
    while (done < bytes) {
        ssize_t n = writing ? write(fd, buffer + done, bytes - done) : read(fd, buffer + done, bytes - done);
        if (n <= 0) die(writing ? "write" : "read");
        done += (size_t)n;
    }
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int trips = argc > 1 ? atoi(argv[1]) : 20000;
    int bytes = argc > 2 ? atoi(argv[2]) : 64;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) die("bind");
    if (listen(listener, 1) != 0) die("listen");
    if (getsockname(listener, (struct sockaddr *)&address, &length) != 0) die("getsockname");
    int one = 1;
    char *buffer = calloc(1, (size_t)bytes);
    pid_t child = fork();
    if (child == 0) {
        int peer = accept(listener, NULL, NULL);
        if (peer < 0) die("accept");
        setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (int i = 0; i < trips + 1000; i++) {
            full_io(peer, buffer, (size_t)bytes, 0);
            full_io(peer, buffer, (size_t)bytes, 1);
        }
        _exit(0);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    double *samples = malloc(sizeof(double) * (size_t)trips);
    for (int i = 0; i < trips + 1000; i++) { /* the first 1000 warm up and are not timed */
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        full_io(fd, buffer, (size_t)bytes, 1);
        full_io(fd, buffer, (size_t)bytes, 0);
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (i >= 1000) samples[i - 1000] = (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
    }
    waitpid(child, NULL, 0);
    qsort(samples, (size_t)trips, sizeof(double), compare);
#define AT(p) samples[(int)((p) * (trips - 1))]
    printf("{\"messageBytes\": %d, \"roundTrips\": %d, \"p50us\": %.2f, \"p90us\": %.2f, \"p99us\": %.2f, \"maxUs\": %.2f}\n",
           bytes, trips, AT(0.50), AT(0.90), AT(0.99), samples[trips - 1]);
    return 0;
}
