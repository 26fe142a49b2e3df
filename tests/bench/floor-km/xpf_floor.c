// SPDX-License-Identifier: GPL-2.0
/*
 * xpf_floor: the bench's floor, in the driver domain's kernel. It opens an event channel for
 * dom0 (whose xpf_floor_echo answers every event with one) and times `rounds` round trips from
 * a kernel thread that spins for each answer, as a config op spins for pciback's. No frontend,
 * no shared page, no backend work: what is left is the event channel between the two kernels.
 * The port goes to the kernel log ("xpf_floor: port N"), the result too ("xpf_floor: result
 * ..."). A test module of tests/bench/, loaded by path in the bench's driver domains only.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/atomic.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

static int peer;
module_param(peer, int, 0444);
MODULE_PARM_DESC(peer, "the domain that echoes (default 0)");
static int rounds = 1000;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "round trips to time (default 1000)");

static evtchn_port_t port;
static int irq = -1;
static atomic_t events = ATOMIC_INIT(0);
static struct task_struct *task;

static irqreturn_t on_event(int irq, void *data)
{
	atomic_inc(&events);
	return IRQ_HANDLED;
}

/* Spins (interrupts on: the event's upcall counts it) until @want events, or @ns pass. */
static bool spin_for(int want, u64 ns)
{
	const u64 end = ktime_get_ns() + ns;

	while (atomic_read(&events) < want) {
		if (ktime_get_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static int measure(void *unused)
{
	int i, hello_wait = 0;
	u64 t0, t1;

	/* xpf_floor_echo says hello with one event once it is bound. */
	while (atomic_read(&events) < 1 && hello_wait++ < 30000 && !kthread_should_stop())
		msleep(10);
	if (atomic_read(&events) < 1) {
		pr_info("xpf_floor: result error=no-echo rounds=0\n");
		goto idle;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < rounds; i++) {
		notify_remote_via_evtchn(port);
		if (!spin_for(2 + i, NSEC_PER_SEC))
			break;
	}
	t1 = ktime_get_ns();
	if (i < rounds)
		pr_info("xpf_floor: result error=timeout rounds=%d\n", i);
	else
		pr_info("xpf_floor: result ops=%d wall_ns_per_op=%llu\n", rounds,
			(t1 - t0) / rounds);
idle:
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static int __init xpf_floor_init(void)
{
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = peer };
	struct evtchn_close close;
	int err;

	if (rounds < 1)
		return -EINVAL;
	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		return err;
	port = alloc.port;
	irq = bind_evtchn_to_irqhandler(port, on_event, 0, "xpf_floor", NULL);
	if (irq < 0) {
		close.port = port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return irq;
	}
	task = kthread_run(measure, NULL, "xpf_floor");
	if (IS_ERR(task)) {
		unbind_from_irqhandler(irq, NULL); /* closes the port too */
		return PTR_ERR(task);
	}
	pr_info("xpf_floor: port %u for domain %d, %d rounds\n", port, peer, rounds);
	return 0;
}

static void __exit xpf_floor_exit(void)
{
	kthread_stop(task);
	unbind_from_irqhandler(irq, NULL);
}

module_init(xpf_floor_init);
module_exit(xpf_floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xen-pcifront-cxx bench: event-channel round trips to dom0, kernel to kernel");
