// SPDX-License-Identifier: GPL-2.0
/*
 * xpf-bench: measurements inside the emulated host's driver domain, for `make bench`
 * (tests/bench/). Each prints one line "XPF-BENCH <name> key=value ..." for the host to collect.
 *
 *   xpf-bench confread BDF OPS ROUNDS   dword reads of BDF's config space through sysfs (each one
 *                                       a config op through the PCI frontend): per round, wall
 *                                       and CPU nanoseconds per op; the medians of the rounds
 *   xpf-bench time NAME CMD [ARG...]    runs CMD ROUNDS=1 time: its wall and CPU nanoseconds
 *
 * CPU time is the process's own (user + system), read with getrusage: while a config op waits
 * for the backend the frontend either spins (in-tree) or polls the event channel (ours), and
 * that shows here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
}

static uint64_t cpu_ns(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int confread(const char *bdf, long ops, int rounds)
{
	char path[128];
	uint64_t wall[64], cpu[64];
	uint32_t v;
	int fd, r;
	long i;

	if (rounds < 1 || rounds > 64 || ops < 1) {
		fprintf(stderr, "xpf-bench: 1..64 rounds of at least one op\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns(), c0 = cpu_ns(RUSAGE_SELF);

		for (i = 0; i < ops; i++) {
			/* The standard header's 16 dwords in turn: IDs, command/status, class, BARs. */
			if (pread(fd, &v, 4, (off_t)((i % 16) * 4)) != 4) {
				perror("pread");
				close(fd);
				return 1;
			}
		}
		wall[r] = (now_ns() - t0) / (uint64_t)ops;
		cpu[r] = (cpu_ns(RUSAGE_SELF) - c0) / (uint64_t)ops;
	}
	close(fd);
	printf("XPF-BENCH confread ops=%ld rounds=%d wall_ns_per_op=%llu cpu_ns_per_op=%llu\n", ops,
	       rounds, (unsigned long long)median(wall, rounds),
	       (unsigned long long)median(cpu, rounds));
	return 0;
}

static int time_cmd(const char *name, char **argv)
{
	uint64_t t0 = now_ns(), c0 = cpu_ns(RUSAGE_CHILDREN), wall;
	int status, devnull;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	wall = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "xpf-bench: %s failed (status %d)\n", argv[0], status);
		return 1;
	}
	printf("XPF-BENCH %s wall_ns=%llu cpu_ns=%llu\n", name, (unsigned long long)wall,
	       (unsigned long long)(cpu_ns(RUSAGE_CHILDREN) - c0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "confread"))
		return confread(argv[2], atol(argv[3]), atoi(argv[4]));
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return time_cmd(argv[2], argv + 3);
	fprintf(stderr, "usage: xpf-bench confread BDF OPS ROUNDS | xpf-bench time NAME CMD [ARG...]\n");
	return 2;
}
