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
 * A test module of tests/bench/, loaded by path in the bench's driver domains only.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/ktime.h>
#include <linux/sort.h>

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

static int __init xpf_confread_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct pci_dev *dev;
	u64 per_op[64], t0, t1, t, max_ns = 0;
	unsigned int slow = 0;
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
	dev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!dev) {
		pr_err("xpf_confread: no PCI device %s\n", bdf);
		return -ENODEV;
	}
	for (r = 0; r < rounds && !err; r++) {
		t0 = ktime_get_ns();
		t1 = t0;
		for (i = 0; i < ops; i++) {
			if (pci_read_config_dword(dev, (i % 16) * 4, &v)) {
				pr_err("xpf_confread: read at %#x failed\n", (i % 16) * 4);
				err = -EIO;
				break;
			}
			t = ktime_get_ns();
			if (t - t1 >= NSEC_PER_MSEC)
				slow++;
			if (t - t1 > max_ns)
				max_ns = t - t1;
			t1 = t;
		}
		per_op[r] = (ktime_get_ns() - t0) / ops;
	}
	pci_dev_put(dev);
	if (err)
		return err;
	sort(per_op, rounds, sizeof(per_op[0]), cmp_u64, NULL);
	pr_info("xpf_confread: result ops=%d rounds=%d wall_ns_per_op=%llu slow_reads=%u max_ns=%llu\n",
		ops, rounds,
		rounds % 2 ? per_op[rounds / 2] : (per_op[rounds / 2 - 1] + per_op[rounds / 2]) / 2,
		slow, max_ns);
	return 0;
}

static void __exit xpf_confread_exit(void)
{
}

module_init(xpf_confread_init);
module_exit(xpf_confread_exit);
MODULE_DESCRIPTION("xen-pcifront-cxx bench: config read latency in the kernel");
MODULE_LICENSE("GPL");
