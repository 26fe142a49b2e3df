// SPDX-License-Identifier: GPL-2.0
/*
 * xpf-rogue: a PCI backend that misbehaves on purpose. It runs in dom0 of the emulated Xen host
 * in place of xen-pciback and serves one driver domain's PCI frontend through the same protocol
 * (xenstore keys, a granted xen_pci_sharedinfo page, an interdomain event channel), with one
 * emulated device, 0000:00:00.0 (vendor 0x5853, device 0xc0de, no BARs, no driver binds it).
 * Each scenario breaks the protocol one way; `good` keeps to it and proves the program itself.
 * In `msix` the device also has a 4 KiB memory BAR at $XPF_ROGUE_BAR (a page the driver domain
 * is granted) and an MSI-X capability with its table there, for the driver domain's test driver
 * (tests/rogue/msix-probe/) to ask for vectors.
 *
 *   [XPF_ROGUE_BAR=ADDR] xpf-rogue DOMID SCENARIO [SECONDS]   (runs SECONDS, default 30)
 *
 * The backend directory is /local/domain/0/xpf-rogue/DOMID/0, outside backend/pci, so pciback
 * never sees it. The frontend directory is the usual device/pci/0. Both are removed on exit,
 * which closes the frontend's connection.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/io/pciif.h>
#include <xen/io/xenbus.h>

static const char *const scenarios[] = {
	"good",	      /* keeps to the protocol: the control */
	"silent",     /* connects, then never answers an op */
	"late",	      /* answers every op 3 s late, past the frontend's 2 s timeout */
	"garbage",    /* answers with random err, value, cmd, device, offset and size */
	"flip",	      /* keeps rewriting the reply for 20 ms after handing it back */
	"storm",      /* answers correctly, and notifies 200000 times in a row between ops */
	"badroots",   /* root_num far beyond any bound, then root-N that do not parse */
	"manyroots",  /* 40 root buses (more than the 16 whose exported functions are kept) */
	"flap",	      /* connects, then flips its state at random 300 times */
	"vanish",     /* connects, takes the first op, removes its directory and exits */
	"reconf",     /* a Reconfiguring round with an inconsistent device list */
	"aer",	      /* AER requests for a device without a driver and for absent devices */
	"msix",	      /* MSI-X vectors: 0, one twice, a pirq the domain lacks, a count for 0 */
	NULL,
};

#define MANY_ROOTS 40u /* for manyroots: bus 00 (the device) and 39 empty ones, 4 apart */

static int domid;
static const char *scenario;
static char be[128], fe[128];
static struct xs_handle *xs;
static xengnttab_handle *gt;
static xenevtchn_handle *xe;
static struct xen_pci_sharedinfo *page;
static int port = -1, local_port = -1;
static volatile sig_atomic_t stop;
static unsigned long ops, answered, garbled;
static int holding; /* an op taken and not answered (silent): not counted again */

/* The emulated device's config space (dev_init), and the bits of BAR0 a write may change. */
static uint8_t cs[256];
static uint32_t bar0_writable;
/* msix: what pciback would hold (MSI-X on until a disable), and what the frontend sent. */
static int msix_on;
static unsigned int msix_enables, msix_disables, msix_already;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("xpf-rogue[%s]: ", scenario);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static void die(const char *what)
{
	say("%s: %s", what, strerror(errno));
	exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Writes @dir/@key, in transaction @t (XBT_NULL: none). */
static void tput(xs_transaction_t t, const char *dir, const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (!xs_write(xs, t, path, val, strlen(val)))
		die(path);
}
#define put(...) tput(XBT_NULL, __VA_ARGS__)

static char *get(const char *dir, const char *key)
{
	char path[256];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(xs, XBT_NULL, path, &len);
}

static int get_int(const char *dir, const char *key, int dflt)
{
	char *v = get(dir, key);
	int r = v ? atoi(v) : dflt;

	free(v);
	return r;
}

static void set_state(int s)
{
	put(be, "state", "%d", s);
}

/* Both directories, their permissions, in one transaction (as libxl writes them). */
static void create_nodes(void)
{
	struct xs_permissions be_perms[2] = { { 0, XS_PERM_NONE }, { (unsigned)domid, XS_PERM_READ } };
	struct xs_permissions fe_perms[2] = { { (unsigned)domid, XS_PERM_NONE }, { 0, XS_PERM_READ } };
	xs_transaction_t t;

again:
	t = xs_transaction_start(xs);
	if (!t)
		die("xs_transaction_start");
	if (!xs_mkdir(xs, t, be) || !xs_set_permissions(xs, t, be, be_perms, 2) ||
	    !xs_mkdir(xs, t, fe) || !xs_set_permissions(xs, t, fe, fe_perms, 2))
		die("creating the directories");
	tput(t, be, "frontend", "%s", fe);
	tput(t, be, "frontend-id", "%d", domid);
	tput(t, be, "online", "1");
	tput(t, be, "state", "%d", XenbusStateInitialising);
	tput(t, be, "num_devs", "1");
	tput(t, be, "dev-0", "0000:00:00.0");
	tput(t, be, "vdev-0", "0000:00:00.0");
	tput(t, be, "state-0", "%d", XenbusStateInitialised);
	tput(t, fe, "backend", "%s", be);
	tput(t, fe, "backend-id", "0");
	tput(t, fe, "state", "%d", XenbusStateInitialising);
	if (!xs_transaction_end(xs, t, false)) {
		if (errno == EAGAIN)
			goto again;
		die("xs_transaction_end");
	}
}

static void remove_nodes(void)
{
	xs_rm(xs, XBT_NULL, fe);
	xs_rm(xs, XBT_NULL, be);
}

static void cleanup(void)
{
	if (xs)
		remove_nodes();
	if (xe && local_port >= 0)
		xenevtchn_unbind(xe, (evtchn_port_t)local_port);
	if (gt && page)
		xengnttab_unmap(gt, page, 1);
	if (!strcmp(scenario, "msix"))
		say("msix: %u enable_msix answered wrongly, %u disable_msix, %u refused as still on; "
		    "MSI-X left on at the end: %s",
		    msix_enables, msix_disables, msix_already, msix_on ? "yes" : "no");
	say("gone after %lu ops, %lu answered (%lu garbled)", ops, answered, garbled);
}

static void serve(unsigned int ms);

/* Waits up to @ms for the frontend to reach @state, serving its ops meanwhile (it enumerates
 * before it says Connected); 0 once it has. */
static int wait_fe_state(int state, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (!stop && now_ms() < end) {
		if (get_int(fe, "state", -1) == state)
			return 0;
		if (page)
			serve(20);
		else
			sleep_ms(20);
	}
	return -1;
}

/* The frontend's page and event channel, as pciback's attach takes them. */
static int attach(void)
{
	int ref = get_int(fe, "pci-op-ref", -1), remote = get_int(fe, "event-channel", -1);
	char *magic = get(fe, "magic");

	if (ref < 0 || remote < 0 || !magic || strcmp(magic, XEN_PCI_MAGIC)) {
		say("frontend published ref %d port %d magic %s", ref, remote, magic ? magic : "(none)");
		free(magic);
		return -1;
	}
	free(magic);
	page = xengnttab_map_grant_ref(gt, (uint32_t)domid, (uint32_t)ref, PROT_READ | PROT_WRITE);
	if (!page)
		die("mapping the frontend's page");
	local_port = xenevtchn_bind_interdomain(xe, (uint32_t)domid, (evtchn_port_t)remote);
	if (local_port < 0)
		die("binding the frontend's event channel");
	port = local_port;
	say("attached: grant %d, event channel %d (local %d)", ref, remote, local_port);
	return 0;
}

static uint32_t conf_read(unsigned int off, unsigned int size);

static void cs_put(unsigned int off, uint32_t v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		cs[off + i] = (uint8_t)(v >> (8 * i));
}

/* IDs, class "unassigned", header type 0, no BARs; for msix a BAR and an MSI-X capability. */
static void dev_init(void)
{
	const char *bar = getenv("XPF_ROGUE_BAR");

	cs_put(0x00, 0xc0de5853, 4); /* vendor 0x5853 (XenSource), device 0xc0de */
	cs[0x08] = 0x01;	      /* revision */
	cs[0x0b] = 0xff;	      /* class: unassigned */
	cs_put(0x2c, 0xc0de5853, 4); /* subsystem */
	if (strcmp(scenario, "msix"))
		return;
	cs[0x06] = 0x10; /* status: capability list */
	cs_put(0x10, bar ? (uint32_t)strtoul(bar, NULL, 0) & 0xfffff000u : 0, 4);
	bar0_writable = 0xfffff000u; /* 32-bit memory, 4 KiB */
	cs[0x34] = 0x40;
	cs[0x40] = 0x11;	     /* MSI-X, last capability */
	cs_put(0x42, 7, 2);	     /* 8 entries */
	cs_put(0x44, 0x000, 4);	     /* table at BAR0 + 0 */
	cs_put(0x48, 0x800, 4);	     /* PBA at BAR0 + 0x800 */
	say("device with MSI-X (8 entries), BAR0 at %#x", conf_read(0x10, 4));
}

static uint32_t conf_read(unsigned int off, unsigned int size)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < size && off + i < sizeof(cs); i++)
		v |= (uint32_t)cs[off + i] << (8 * i);
	return v;
}

/* The command register, BAR0 (sizing included: its low bits read back as 0) and the MSI-X
 * enable and mask-all bits take writes; everything else is read-only. */
static void conf_write(unsigned int off, unsigned int size, uint32_t v)
{
	unsigned int i, a;
	uint8_t b, keep;

	for (i = 0; i < size && off + i < sizeof(cs); i++) {
		a = off + i;
		b = (uint8_t)(v >> (8 * i));
		if (a == 0x04 || a == 0x05) {
			cs[a] = b;
		} else if (a >= 0x10 && a < 0x14) {
			keep = (uint8_t)(bar0_writable >> (8 * (a - 0x10)));
			cs[a] = (uint8_t)((b & keep) | (cs[a] & ~keep));
		} else if (a == 0x43 && cs[0x40] == 0x11) {
			cs[a] = (uint8_t)((b & 0xc0) | (cs[a] & 0x3f));
		}
	}
}

/* msix: pciback's enable_msix, answered wrongly a different way each time. */
static void enable_msix(struct xen_pci_op *op)
{
	static const char *const how[] = {
		"vector 0 in entry 1",
		"entry 1's pirq also in entry 0",
		"pirq 40000, beyond the domain's pirqs, in entry 0",
		"good pirqs but a count of 64 where 0 means enabled",
	};
	unsigned int n = op->value, i, k;

	if (msix_on) {
		/* As pciback: pci_enable_msix_exact() refuses while MSI-X is on. */
		msix_already++;
		op->err = -EALREADY;
		say("enable_msix while MSI-X is still on (the last refused enable was not switched off): -EALREADY");
		return;
	}
	if (n == 0 || n > SH_INFO_MAX_VEC) {
		op->err = -EINVAL;
		return;
	}
	k = msix_enables++ % 4;
	for (i = 0; i < n; i++)
		op->msix_entries[i].vector = (uint16_t)(20 + i);
	op->value = 0;
	op->err = 0;
	switch (k) {
	case 0:
		op->msix_entries[n > 1].vector = 0;
		break;
	case 1:
		op->msix_entries[0].vector = op->msix_entries[n > 1].vector;
		break;
	case 2:
		op->msix_entries[0].vector = 40000;
		break;
	default:
		op->value = 64;
		break;
	}
	msix_on = 1;
	say("enable_msix %u (%u vectors): answered with %s", msix_enables, n, how[k]);
}

/* A correct answer to @op, written into the page. */
static void answer(struct xen_pci_op *op)
{
	int here = op->domain == 0 && op->bus == 0 && op->devfn == 0;

	switch (op->cmd) {
	case XEN_PCI_OP_conf_read:
		op->err = here ? XEN_PCI_ERR_success : XEN_PCI_ERR_dev_not_found;
		op->value = here ? conf_read(op->offset, op->size) : 0;
		break;
	case XEN_PCI_OP_conf_write:
		op->err = here ? XEN_PCI_ERR_success : XEN_PCI_ERR_dev_not_found;
		if (here)
			conf_write(op->offset, op->size, op->value);
		break;
	case XEN_PCI_OP_enable_msix:
		if (here && !strcmp(scenario, "msix"))
			enable_msix(op);
		else
			op->err = XEN_PCI_ERR_not_implemented;
		break;
	case XEN_PCI_OP_disable_msix:
		if (here && !strcmp(scenario, "msix")) {
			msix_disables++;
			msix_on = 0;
			op->err = XEN_PCI_ERR_success;
			op->value = 0;
		} else {
			op->err = XEN_PCI_ERR_not_implemented;
		}
		break;
	default:
		op->err = XEN_PCI_ERR_not_implemented;
		break;
	}
}

static void reply_done(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_fetch_and(&page->flags, ~(1u << _XEN_PCIF_active), __ATOMIC_SEQ_CST);
	xenevtchn_notify(xe, (evtchn_port_t)port);
	answered++;
}

static void garble(struct xen_pci_op *op)
{
	switch (rand() % 8) {
	case 0:
		op->err = rand() - RAND_MAX / 2;
		break;
	case 1:
		op->value = (uint32_t)rand();
		break;
	case 2:
		op->cmd = (uint32_t)rand() % 8;
		break;
	case 3:
		op->devfn ^= 1u << (rand() % 8);
		break;
	case 4:
		op->bus = (uint32_t)rand() % 256;
		break;
	case 5:
		op->offset = rand() % 8192 - 4096;
		break;
	case 6:
		op->size = rand() % 9;
		break;
	default:
		op->value |= 0xffff0000u; /* too wide for a byte or word read: cut to it */
		break;
	}
}

/* One op taken from the page, answered the scenario's way. */
static void serve_op(void)
{
	struct xen_pci_op op;
	uint64_t until;
	int i;

	if (!(__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) & (1u << _XEN_PCIF_active)))
		return;
	if (holding)
		return;
	ops++;
	memcpy(&op, &page->op, sizeof(op));
	if (!strcmp(scenario, "silent")) {
		holding = 1;
		return;
	}
	if (!strcmp(scenario, "vanish")) {
		say("op %lu taken; removing the directories and leaving without an answer", ops);
		remove_nodes();
		exit(0);
	}
	if (!strcmp(scenario, "late"))
		sleep_ms(3000);
	answer(&op);
	if (!strcmp(scenario, "garbage") && rand() % 3 == 0) {
		garble(&op);
		garbled++;
	}
	memcpy(&page->op, &op, sizeof(op));
	reply_done();
	if (!strcmp(scenario, "flip")) {
		until = now_ms() + 20;
		while (now_ms() < until) {
			page->op.value = (uint32_t)rand();
			page->op.err = rand() % 2 ? -EIO : XEN_PCI_ERR_success;
			page->op.cmd ^= 1;
		}
	}
	if (!strcmp(scenario, "storm"))
		for (i = 0; i < 200000 && !stop; i++)
			xenevtchn_notify(xe, (evtchn_port_t)port);
}

/* Serves ops until @ms have passed (or forever with 0). */
static void serve(unsigned int ms)
{
	uint64_t end = ms ? now_ms() + ms : 0;
	struct pollfd pfd = { xenevtchn_fd(xe), POLLIN, 0 };
	xenevtchn_port_or_error_t p;

	while (!stop && (!end || now_ms() < end)) {
		/* Poll the page too: a frontend that sets active without notifying still gets served. */
		if (poll(&pfd, 1, 50) > 0) {
			p = xenevtchn_pending(xe);
			if (p >= 0)
				xenevtchn_unmask(xe, (evtchn_port_t)p);
		}
		serve_op();
	}
}

/* An AER request as pciback sends one, and the frontend's answer. */
static void aer_request(uint32_t bus, uint32_t devfn, uint32_t cmd)
{
	uint64_t end;

	page->aer_op.cmd = cmd;
	page->aer_op.err = 0;
	page->aer_op.domain = 0;
	page->aer_op.bus = bus;
	page->aer_op.devfn = devfn;
	__atomic_fetch_or(&page->flags, 1u << _XEN_PCIB_active, __ATOMIC_SEQ_CST);
	xenevtchn_notify(xe, (evtchn_port_t)port);
	end = now_ms() + 5000;
	while (now_ms() < end && (__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) & (1u << _XEN_PCIB_active))) {
		serve_op();
		sleep_ms(5);
	}
	say("aer cmd %u for %02x:%02x.%u: %s, err %d", cmd, bus, devfn >> 3, devfn & 7,
	    (page->flags & (1u << _XEN_PCIB_active)) ? "no answer in 5 s" : "answered", page->aer_op.err);
	__atomic_fetch_and(&page->flags, ~(1u << _XEN_PCIB_active), __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	unsigned int secs = 30, i;
	int known = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: xpf-rogue DOMID SCENARIO [SECONDS]\n");
		return 2;
	}
	domid = atoi(argv[1]);
	scenario = argv[2];
	if (argc > 3)
		secs = (unsigned int)atoi(argv[3]);
	for (i = 0; scenarios[i]; i++)
		known |= !strcmp(scenarios[i], scenario);
	if (!known || domid <= 0) {
		fprintf(stderr, "xpf-rogue: unknown scenario '%s' or bad domid; scenarios:", scenario);
		for (i = 0; scenarios[i]; i++)
			fprintf(stderr, " %s", scenarios[i]);
		fprintf(stderr, "\n");
		return 2;
	}
	srand((unsigned int)time(NULL) ^ (unsigned int)getpid());
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	snprintf(be, sizeof(be), "/local/domain/0/xpf-rogue/%d/0", domid);
	snprintf(fe, sizeof(fe), "/local/domain/%d/device/pci/0", domid);
	xs = xs_open(0);
	gt = xengnttab_open(NULL, 0);
	xe = xenevtchn_open(NULL, 0);
	if (!xs || !gt || !xe)
		die("opening xenstore, gnttab or evtchn (is this dom0 with xenfs, xen-gntdev and xen-evtchn?)");
	atexit(cleanup);

	dev_init();
	create_nodes();
	set_state(XenbusStateInitWait);
	say("waiting for the frontend of domain %d", domid);
	if (wait_fe_state(XenbusStateInitialised, 30000)) {
		say("the frontend never reached Initialised (state %d)", get_int(fe, "state", -1));
		return 1;
	}
	if (attach())
		return 1;
	if (!strcmp(scenario, "badroots")) {
		put(be, "root_num", "4000000000");
		set_state(XenbusStateConnected);
		serve(3000);
		put(be, "root_num", "3");
		put(be, "root-0", "zz:zz");
		put(be, "root-1", "0000:00:00");
		put(be, "root-2", "10000:00");
		set_state(XenbusStateReconfiguring);
		serve(500);
		set_state(XenbusStateReconfigured);
	} else if (!strcmp(scenario, "manyroots")) {
		/* Legal, as the in-tree frontend takes it: bus 00 with the device, 39 empty ones. */
		char key[16];

		put(be, "root_num", "%u", MANY_ROOTS);
		for (i = 0; i < MANY_ROOTS; i++) {
			snprintf(key, sizeof(key), "root-%u", i);
			put(be, key, "0000:%02x", i * 4);
		}
		set_state(XenbusStateConnected);
	} else {
		put(be, "root_num", "1");
		put(be, "root-0", "0000:00");
		/* The frontend picked its op wait's time base at Initialised; the driver domain
		 * switches the clocksource in this window, so the op held below is waited for on
		 * a clocksource other than the one that base was checked against (issue 18.1). */
		if (!strcmp(scenario, "silent"))
			sleep_ms(2500);
		set_state(XenbusStateConnected);
	}
	if (wait_fe_state(XenbusStateConnected, 20000) == 0)
		say("frontend Connected");
	else
		say("frontend not Connected (state %d)", get_int(fe, "state", -1));

	if (!strcmp(scenario, "flap")) {
		for (i = 0; i < 300 && !stop; i++) {
			set_state(1 + rand() % 8);
			serve(1 + rand() % 20);
		}
		set_state(XenbusStateConnected);
	} else if (!strcmp(scenario, "reconf")) {
		put(be, "num_devs", "5");
		put(be, "state-0", "%d", XenbusStateClosing);	/* detach a device that is not there */
		put(be, "vdev-0", "0000:00:1f.7");
		put(be, "state-1", "%d", XenbusStateInitialised); /* attach, no vdev */
		put(be, "state-2", "banana");
		put(be, "vdev-2", "0000:00:01.0");
		put(be, "state-3", "%d", XenbusStateClosing);	/* the real device, named twice */
		put(be, "vdev-3", "0000:00:00.0");
		put(be, "state-4", "%d", XenbusStateClosing);
		put(be, "vdev-4", "0000:00:00.0");
		set_state(XenbusStateReconfiguring);
		if (wait_fe_state(XenbusStateReconfiguring, 10000))
			say("frontend did not answer Reconfiguring (state %d)", get_int(fe, "state", -1));
		put(be, "num_devs", "99999");
		set_state(XenbusStateReconfigured);
		if (wait_fe_state(XenbusStateConnected, 10000))
			say("frontend did not answer Reconfigured (state %d)", get_int(fe, "state", -1));
		else
			say("frontend answered both rounds");
	} else if (!strcmp(scenario, "aer")) {
		serve(3000);
		aer_request(0, 0, XEN_PCI_OP_aer_detected);  /* our device, no driver */
		aer_request(0, 0, XEN_PCI_OP_aer_slotreset);
		aer_request(7, 0x30, XEN_PCI_OP_aer_detected); /* no such device */
		aer_request(0, 0xff, 77);		       /* no such command either */
	}
	serve(secs * 1000);
	return 0;
}
