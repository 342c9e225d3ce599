// SPDX-License-Identifier: GPL-2.0
/*
 * rpw: write some bytes to a file with one write() and say what happened.
 *
 *   rpw [-a|-t|-n] [-e] [-L LEN] [-r] FILE TEXT
 *
 *   -t   open O_WRONLY|O_TRUNC (the shell's ">"; the default)
 *   -a   open O_WRONLY|O_APPEND (">>")
 *   -n   open O_WRONLY only
 *   -e   TEXT has C escapes: \n \t \r \v \f \0 \\ \xHH
 *   -L   pad TEXT with spaces to LEN bytes (LEN may be below TEXT: cut)
 *   -r   open O_RDONLY and read instead (TEXT is ignored): prints OK and
 *        the number of bytes read, or the errno
 *
 * Prints one line: "OK <bytes>" when the write succeeded, else the errno
 * name ("EINVAL"), or "open:<ERRNO>" when the file could not be opened.
 * Exit status: 0 written, 1 write failed, 2 open failed, 3 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case 'r': out[n++] = '\r'; s++; break;
		case 'v': out[n++] = '\v'; s++; break;
		case 'f': out[n++] = '\f'; s++; break;
		case '0': out[n++] = '\0'; s++; break;
		case 'x': {
			char hex[3] = { 0 };

			s++;
			if (*s)
				hex[0] = *s++;
			if (*s)
				hex[1] = *s++;
			out[n++] = (char)strtoul(hex, NULL, 16);
			break;
		}
		default: out[n++] = *s++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	int flags = O_WRONLY | O_TRUNC, esc = 0, rd = 0, c, fd;
	long pad = -1;
	size_t len;
	ssize_t r;
	char *buf;

	while ((c = getopt(argc, argv, "atneL:r")) != -1) {
		switch (c) {
		case 'a': flags = O_WRONLY | O_APPEND; break;
		case 't': flags = O_WRONLY | O_TRUNC; break;
		case 'n': flags = O_WRONLY; break;
		case 'e': esc = 1; break;
		case 'L': pad = strtol(optarg, NULL, 0); break;
		case 'r': rd = 1; break;
		default: goto usage;
		}
	}
	if (argc - optind != (rd ? 1 : 2))
		goto usage;
	if (rd) {
		char tmp[65536];
		size_t tot = 0;

		fd = open(argv[optind], O_RDONLY);
		if (fd < 0) {
			printf("open:%s\n", ename(errno));
			return 2;
		}
		while ((r = read(fd, tmp, sizeof(tmp))) > 0)
			tot += r;
		if (r < 0) {
			printf("%s\n", ename(errno));
			return 1;
		}
		printf("OK %zu\n", tot);
		return 0;
	}
	len = strlen(argv[optind + 1]);
	buf = malloc((pad > (long)len ? (size_t)pad : len) + 1);
	if (!buf)
		return 3;
	if (esc)
		len = unescape(argv[optind + 1], buf);
	else
		memcpy(buf, argv[optind + 1], len);
	if (pad >= 0) {
		if ((size_t)pad > len)
			memset(buf + len, ' ', pad - len);
		len = pad;
	}
	fd = open(argv[optind], flags);
	if (fd < 0) {
		printf("open:%s\n", ename(errno));
		return 2;
	}
	r = write(fd, buf, len);
	if (r < 0) {
		printf("%s\n", ename(errno));
		return 1;
	}
	printf("OK %zd\n", r);
	return (size_t)r == len ? 0 : 1;
usage:
	fprintf(stderr, "usage: rpw [-a|-t|-n] [-e] [-L LEN] FILE TEXT | rpw -r FILE\n");
	return 3;
}
