/* The disk's own limits for a durable log, in the folder the benchmark's servers write to:
 *  - large: 4 MiB writes with O_DIRECT, each followed by fdatasync, into a fresh file (what the
 *    write-ahead log does with one 4 MiB push): MB/s;
 *  - small: 64-byte records appended one at a time, each made durable before the next (the
 *    block holding the record written with O_DIRECT, then fdatasync, as the log does): the
 *    latency floor of one acknowledged small push.
 * Falls back to the page cache where the file system refuses O_DIRECT (tmpfs).
 * Prints {"largeMBps":..,"smallP50us":..,"smallP99us":..,"directIO":..} as JSON.
 * Usage: diskceiling DIRECTORY [MiB for the large test] [small appends] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int direct = 1;

static int open_fresh(const char *path) {
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | (direct ? O_DIRECT : 0), 0644);
    if (fd < 0 && direct && errno == EINVAL) {
        direct = 0;
        fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    }
    if (fd < 0) die("open");
    return fd;
}

static void write_at(int fd, const char *buffer, size_t bytes, off_t offset) {
    size_t done = 0;
    while (done < bytes) {
        ssize_t n = pwrite(fd, buffer + done, bytes - done, offset + (off_t)done);
        if (n < 0 && errno == EINVAL && direct) {
            direct = 0;
            if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT) != 0) die("fcntl");
            continue;
        }
        if (n <= 0) die("pwrite");
        done += (size_t)n;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: diskceiling DIRECTORY [MiB] [appends]\n"); return 2; }
    int mib = argc > 2 ? atoi(argv[2]) : 256;
    int appends = argc > 3 ? atoi(argv[3]) : 2000;
    char path[4096];
    snprintf(path, sizeof path, "%s/parasol-diskceiling-%d", argv[1], (int)getpid());
    const size_t chunk = 4 << 20;
    char *buffer;
    if (posix_memalign((void **)&buffer, 4096, chunk) != 0) die("posix_memalign");
    for (size_t i = 0; i < chunk; i++) buffer[i] = (char)(i * 2654435761u >> 13); /* warm, not zeros */

    int fd = open_fresh(path);
    int chunks = mib / 4;
    double start = now_us();
    for (int i = 0; i < chunks; i++) {
        write_at(fd, buffer, chunk, (off_t)i * (off_t)chunk);
        if (fdatasync(fd) != 0) die("fdatasync");
    }
    double large_mbps = (double)chunks * (double)chunk / (now_us() - start);
    close(fd);

    fd = open_fresh(path);
    double *samples = malloc(sizeof(double) * (size_t)appends);
    size_t end = 0;
    for (int i = 0; i < appends + 100; i++) { /* the first 100 warm up and are not timed */
        double begin = now_us();
        end += 64;
        size_t block = (end - 1) / 4096 * 4096;
        write_at(fd, buffer, 4096, (off_t)block);
        if (fdatasync(fd) != 0) die("fdatasync");
        if (i >= 100) samples[i - 100] = now_us() - begin;
    }
    close(fd);
    unlink(path);
    qsort(samples, (size_t)appends, sizeof(double), compare);
    printf("{\"largeMBps\": %.1f, \"largeMiB\": %d, \"smallAppends\": %d, \"smallP50us\": %.2f, \"smallP99us\": %.2f, \"directIO\": %s}\n",
           large_mbps, chunks * 4, appends, samples[appends / 2], samples[(int)(0.99 * (appends - 1))], direct ? "true" : "false");
    return 0;
}
