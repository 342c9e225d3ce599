// SPDX-License-Identifier: GPL-2.0
/*
 * sysloop SECONDS [BUSY_MS IDLE_MS]: a syscall-heavy loop for the relpoline
 * guest benchmark: read /dev/zero, write /dev/null, and a write/read round
 * trip through a pipe, 512 bytes each, for SECONDS seconds (0: until
 * killed). With BUSY_MS and IDLE_MS it loops BUSY_MS then sleeps IDLE_MS
 * (a light background load; tests/stress/ftracetest-guest.sh). Its files
 * are opened once, at the start. Prints the number of iterations.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10, end = now() + secs;
	double busy = argc > 3 ? atof(argv[2]) / 1000 : 0;
	long idle_ms = argc > 3 ? atol(argv[3]) : 0;
	double until = now() + busy;
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	static char buf[512];
	unsigned long n = 0;
	int p[2];

	if (zero < 0 || null < 0 || pipe(p)) {
		perror("sysloop");
		return 1;
	}
	for (;;) {
		if (read(zero, buf, sizeof(buf)) != sizeof(buf) ||
		    write(null, buf, sizeof(buf)) != sizeof(buf) ||
		    write(p[1], buf, sizeof(buf)) != sizeof(buf) ||
		    read(p[0], buf, sizeof(buf)) != sizeof(buf)) {
			perror("sysloop");
			return 1;
		}
		if ((++n & 255) == 0 && secs > 0 && now() >= end)
			break;
		if ((n & 255) == 0 && busy > 0 && now() >= until) {
			struct timespec ts = { idle_ms / 1000, idle_ms % 1000 * 1000000L };

			nanosleep(&ts, NULL);
			until = now() + busy;
		}
	}
	printf("sysloop: %lu iterations\n", n);
	return 0;
}
