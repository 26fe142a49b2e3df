// SPDX-License-Identifier: GPL-2.0
/*
 * xpf_confread: config read latency inside the driver domain's kernel, for the bench. The
 * sysfs row pays for a system call per read, which a PV guest under TCG makes dearer than the
 * config op itself; here the reads are pci_read_config_dword() calls from the module's init,
 * through whichever PCI frontend owns the device, with nothing else on the path.
 * Reads the standard header's 16 dwords in turn, as the sysfs row does, `rounds` times `ops`
 * reads; logs "xpf_confread: result ops= rounds= wall_ns_per_op=" with the median of the rounds,
 * and over all the rounds the reads that took 1 ms or more (slow_reads) and the longest (max_ns):
 * a wait that lost a tick to the scheduler or a throttled event shows there, not in a median.
 * Each read's own time is kept too: the median read (p50_ns), p90_ns and p99_ns say what a
 * read costs when nothing stalls it, which the mean (dominated by the few stalled reads when
 * the driver domain shares a pCPU) does not.
 * clock_ns is what one ktime_get_ns() costs here (a PV guest whose TSC Xen emulates pays a trap
 * for each), to weigh a frontend's clock reads per op.
 * And where the vCPU's time went over all the rounds, from Xen's runstate accounting read
 * before and after each round (runnable_ns_per_op: waiting for a pCPU, preempted; blocked:
 * in SCHEDOP_poll or idle; running: the rest): a stall the vCPU spent runnable was Xen's
 * scheduler giving its pCPU to another vCPU, one it spent running was a wait for dom0.
 * A test module of tests/bench/, loaded by path in the bench's driver domains only.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/ktime.h>
#include <linux/sort.h>
#include <linux/slab.h>
#include <xen/xen.h>
#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>
#include <xen/xen-ops.h>
#include <asm/xen/hypercall.h>

static char *bdf = "";
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "the device, DDDD:BB:SS.F");
static int ops = 2000;
module_param(ops, int, 0444);
MODULE_PARM_DESC(ops, "reads per round (default 2000)");
static int rounds = 5;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "rounds, 1..64 (default 5)");

static int cmp_u64(const void *a, const void *b)
{
	const u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The time in each runstate so far (ns) of the vCPU this runs on, which *cpu names: a round
 * that moved to another vCPU has no accounting of its own. False when Xen does not say.
 */
static bool runstate_now(u64 time[4], int *cpu)
{
	struct vcpu_runstate_info info;

	*cpu = raw_smp_processor_id();
	if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, xen_vcpu_nr(*cpu), &info))
		return false;
	memcpy(time, info.time, sizeof(info.time));
	return true;
}

static int __init xpf_confread_init(void)
{
	u64 rs0[4], rs1[4], rs_sum[4] = { 0 };
	char rs_line[160] = "";
	u64 *each;
	size_t n = 0, first_slow;
	bool rs_ok = true;
	int k, cpu0, cpu1;
	unsigned int domain, bus, slot, fn;
	struct pci_dev *dev;
	u64 per_op[64], t0, t1, t, clock_ns;
	int r, i, err = 0;
	u32 v;

	if (sscanf(bdf, "%x:%x:%x.%u", &domain, &bus, &slot, &fn) != 4 || slot > 31 || fn > 7) {
		pr_err("xpf_confread: bdf=DDDD:BB:SS.F, not '%s'\n", bdf);
		return -EINVAL;
	}
	if (rounds < 1 || rounds > 64 || ops < 16) {
		pr_err("xpf_confread: 1..64 rounds of at least 16 reads\n");
		return -EINVAL;
	}
	each = kvmalloc_array((size_t)ops * rounds, sizeof(*each), GFP_KERNEL);
	if (!each)
		return -ENOMEM;
	dev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!dev) {
		pr_err("xpf_confread: no PCI device %s\n", bdf);
		kvfree(each);
		return -ENODEV;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < 1000; i++)
		t1 = ktime_get_ns();
	clock_ns = div_u64(t1 - t0, 1000);
	for (r = 0; r < rounds && !err; r++) {
		rs_ok = rs_ok && runstate_now(rs0, &cpu0);
		t0 = ktime_get_ns();
		t1 = t0;
		for (i = 0; i < ops; i++) {
			if (pci_read_config_dword(dev, (i % 16) * 4, &v)) {
				pr_err("xpf_confread: read at %#x failed\n", (i % 16) * 4);
				err = -EIO;
				break;
			}
			t = ktime_get_ns();
			each[n++] = t - t1;
			t1 = t;
		}
		per_op[r] = (ktime_get_ns() - t0) / ops;
		rs_ok = rs_ok && runstate_now(rs1, &cpu1) && cpu0 == cpu1;
		for (k = 0; rs_ok && k < 4; k++)
			rs_sum[k] += rs1[k] - rs0[k];
	}
	pci_dev_put(dev);
	if (err) {
		kvfree(each);
		return err;
	}
	sort(per_op, rounds, sizeof(per_op[0]), cmp_u64, NULL);
	/* Sorted, the reads give the percentiles, the slow ones (a tail) and the longest. */
	sort(each, n, sizeof(each[0]), cmp_u64, NULL);
	for (first_slow = n; first_slow > 0 && each[first_slow - 1] >= NSEC_PER_MSEC; first_slow--)
		;
	if (rs_ok)
		snprintf(rs_line, sizeof(rs_line),
			 " running_ns_per_op=%llu runnable_ns_per_op=%llu blocked_ns_per_op=%llu offline_ns_per_op=%llu",
			 div_u64(rs_sum[RUNSTATE_running], ops * rounds),
			 div_u64(rs_sum[RUNSTATE_runnable], ops * rounds),
			 div_u64(rs_sum[RUNSTATE_blocked], ops * rounds),
			 div_u64(rs_sum[RUNSTATE_offline], ops * rounds));
	else
		pr_warn("xpf_confread: no runstate from Xen, or a round changed vCPU: no runstate rows\n");
	pr_info("xpf_confread: result ops=%d rounds=%d wall_ns_per_op=%llu p50_ns=%llu p90_ns=%llu p99_ns=%llu slow_reads=%zu max_ns=%llu clock_ns=%llu%s\n",
		ops, rounds,
		rounds % 2 ? per_op[rounds / 2] : (per_op[rounds / 2 - 1] + per_op[rounds / 2]) / 2,
		each[n / 2], each[n * 9 / 10], each[n * 99 / 100], n - first_slow, each[n - 1], clock_ns, rs_line);
	kvfree(each);
	return 0;
}

static void __exit xpf_confread_exit(void)
{
}

module_init(xpf_confread_init);
module_exit(xpf_confread_exit);
MODULE_DESCRIPTION("xen-pcifront-cxx bench: config read latency in the kernel");
MODULE_LICENSE("GPL");
