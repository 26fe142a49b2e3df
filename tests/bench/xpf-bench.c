// SPDX-License-Identifier: GPL-2.0
/*
 * xpf-bench: measurements inside the emulated host's driver domain, for `make bench`
 * (tests/bench/). Each prints one line "XPF-BENCH <name> key=value ..." for the host to collect.
 *
 *   xpf-bench confread BDF OPS ROUNDS   dword reads of BDF's config space through sysfs (each one
 *                                       a config op through the PCI frontend): per round, wall
 *                                       and CPU nanoseconds per op; the medians of the rounds
 *   xpf-bench rescan OPS ROUNDS         writes of "1" to /sys/bus/pci/rescan: the kernel scans
 *                                       every slot of the PV bus again (a probe of each absent
 *                                       function); per round, wall and CPU nanoseconds per rescan
 *   xpf-bench time NAME CMD [ARG...]    runs CMD ROUNDS=1 time: its wall and CPU nanoseconds
 *   xpf-bench floor OPS ROUNDS          the floor under a config op: event-channel round trips
 *                                       to dom0 (/dev/xen/evtchn, both sides spinning, as a
 *                                       config op's wait does). Offers a port to dom0, says
 *                                       "XPF-FLOOR-PORT <port>" on the console, waits for dom0's
 *                                       first event, then per round times OPS notify-and-wait
 *                                       round trips; the medians of the rounds
 *   xpf-bench floor-echo DOMID PORT N   dom0's side: binds to the driver domain's PORT, notifies
 *                                       once, then answers N events, each with one of its own
 *
 * CPU time is the process's own (user + system), read with getrusage: while a config op waits
 * for the backend the frontend either spins (in-tree) or polls the event channel (ours), and
 * that shows here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/xen.h> /* domid_t, for the next */
#include <xen/sys/evtchn.h>

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

/*
 * @rounds rounds of @ops calls of @op(@ctx); prints "XPF-BENCH @name ops= rounds=" with the
 * medians of the rounds' wall and CPU nanoseconds per op.
 */
static int timed_rounds(const char *name, long ops, int rounds, int (*op)(void *ctx, long i),
			void *ctx)
{
	uint64_t wall[64], cpu[64];
	int r;
	long i;

	if (rounds < 1 || rounds > 64 || ops < 1) {
		fprintf(stderr, "xpf-bench: 1..64 rounds of at least one op\n");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		uint64_t t0 = now_ns(), c0 = cpu_ns(RUSAGE_SELF);

		for (i = 0; i < ops; i++)
			if (op(ctx, i))
				return 1;
		wall[r] = (now_ns() - t0) / (uint64_t)ops;
		cpu[r] = (cpu_ns(RUSAGE_SELF) - c0) / (uint64_t)ops;
	}
	printf("XPF-BENCH %s ops=%ld rounds=%d wall_ns_per_op=%llu cpu_ns_per_op=%llu\n", name, ops,
	       rounds, (unsigned long long)median(wall, rounds),
	       (unsigned long long)median(cpu, rounds));
	return 0;
}

static int confread_one(void *ctx, long i)
{
	uint32_t v;

	/* The standard header's 16 dwords in turn: IDs, command/status, class, BARs. */
	if (pread(*(int *)ctx, &v, 4, (off_t)((i % 16) * 4)) != 4) {
		perror("pread");
		return -1;
	}
	return 0;
}

static int confread(const char *bdf, long ops, int rounds)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	ret = timed_rounds("confread", ops, rounds, confread_one, &fd);
	close(fd);
	return ret;
}

static int rescan_one(void *ctx, long i)
{
	(void)i;
	if (pwrite(*(int *)ctx, "1", 1, 0) != 1) {
		perror("/sys/bus/pci/rescan");
		return -1;
	}
	return 0;
}

/* The kernel's own enumeration: a rescan of every PCI bus, nothing in user space around it. */
static int rescan(long ops, int rounds)
{
	int fd = open("/sys/bus/pci/rescan", O_WRONLY), ret;

	if (fd < 0) {
		perror("/sys/bus/pci/rescan");
		return 1;
	}
	ret = timed_rounds("rescan", ops, rounds, rescan_one, &fd);
	close(fd);
	return ret;
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

/*
 * Takes one event on @fd's bound port and unmasks the port again: 1, or 0 if none came by
 * @until_ns (0: no limit), or -1. Spins (the descriptor is non-blocking), as a config op's wait
 * spins: a blocking read would time the wake-up of an idle vCPU, not the event channel.
 */
static int evtchn_take(int fd, uint32_t port, uint64_t until_ns)
{
	uint32_t got;
	ssize_t n;

	while ((n = read(fd, &got, sizeof(got))) < 0 && errno == EAGAIN)
		if (until_ns && now_ns() >= until_ns)
			return 0;
	if (n != sizeof(got)) {
		perror("read /dev/xen/evtchn");
		return -1;
	}
	if (got != port) {
		fprintf(stderr, "xpf-bench: event on port %u, expected %u\n", got, port);
		return -1;
	}
	if (write(fd, &got, sizeof(got)) != sizeof(got)) {
		perror("write /dev/xen/evtchn");
		return -1;
	}
	return 1;
}

static int evtchn_wait(int fd, uint32_t port)
{
	return evtchn_take(fd, port, 0) == 1 ? 0 : -1;
}

static int evtchn_notify(int fd, uint32_t port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n) < 0) {
		perror("IOCTL_EVTCHN_NOTIFY");
		return -1;
	}
	return 0;
}

/* Opens /dev/xen/evtchn and binds a port with @cmd (@what names it); the port, or -1. */
static int evtchn_bind(int *fd, unsigned long cmd, void *arg, const char *what)
{
	int port;

	*fd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK);
	if (*fd < 0) {
		perror("/dev/xen/evtchn (modprobe xen-evtchn)");
		return -1;
	}
	port = ioctl(*fd, cmd, arg);
	if (port < 0) {
		perror(what);
		close(*fd);
	}
	return port;
}

struct floor_ctx {
	int fd;
	uint32_t port;
};

static int floor_one(void *ctx, long i)
{
	struct floor_ctx *f = ctx;

	(void)i;
	return evtchn_notify(f->fd, f->port) || evtchn_wait(f->fd, f->port) ? -1 : 0;
}

static int floor_rtt(long ops, int rounds)
{
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = 0 };
	struct floor_ctx f;
	int port, ret;
	FILE *con;

	port = evtchn_bind(&f.fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub, "IOCTL_EVTCHN_BIND_UNBOUND_PORT");
	if (port < 0)
		return 1;
	f.port = (uint32_t)port;
	/* dom0 reads the port off this console line; its first event says it is bound. */
	con = fopen("/dev/console", "w");
	if (!con) {
		perror("/dev/console");
		return 1;
	}
	fprintf(con, "XPF-FLOOR-PORT %d\n", port);
	fclose(con);
	alarm(120); /* dom0 never came, or stopped answering: die rather than hang the step */
	if (evtchn_wait(f.fd, f.port))
		return 1;
	ret = timed_rounds("floor", ops, rounds, floor_one, &f);
	close(f.fd);
	return ret;
}

static int floor_echo(int domid, int remote_port, long n)
{
	struct ioctl_evtchn_bind_interdomain bi = { .remote_domain = (uint32_t)domid,
						    .remote_port = (uint32_t)remote_port };
	int fd, port;
	long i;

	port = evtchn_bind(&fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi, "IOCTL_EVTCHN_BIND_INTERDOMAIN");
	if (port < 0)
		return 1;
	/*
	 * Xen marks a newly bound interdomain port pending (notifications sent to the unbound port
	 * may have been lost). The driver domain sends nothing before our first event: whatever
	 * comes in the first second is that, and is not an event to answer.
	 */
	if (evtchn_take(fd, (uint32_t)port, now_ns() + 1000000000ull) < 0)
		return 1;
	if (evtchn_notify(fd, (uint32_t)port))
		return 1;
	for (i = 0; i < n; i++)
		if (evtchn_wait(fd, (uint32_t)port) || evtchn_notify(fd, (uint32_t)port))
			return 1;
	close(fd);
	printf("floor-echo: answered %ld events from domain %d\n", n, domid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "confread"))
		return confread(argv[2], atol(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "rescan"))
		return rescan(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return time_cmd(argv[2], argv + 3);
	if (argc == 4 && !strcmp(argv[1], "floor"))
		return floor_rtt(atol(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "floor-echo"))
		return floor_echo(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: xpf-bench confread BDF OPS ROUNDS | xpf-bench rescan OPS ROUNDS |\n"
			"       xpf-bench time NAME CMD [ARG...] | xpf-bench floor OPS ROUNDS |\n"
			"       xpf-bench floor-echo DOMID PORT N\n");
	return 2;
}
