// SPDX-License-Identifier: GPL-2.0
/*
 * sysloop SECONDS: a syscall-heavy loop for the relpoline guest benchmark:
 * read /dev/zero, write /dev/null, and a write/read round trip through a
 * pipe, 512 bytes each, for SECONDS seconds (0: until killed). Prints the
 * number of iterations.
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
	}
	printf("sysloop: %lu iterations\n", n);
	return 0;
}
