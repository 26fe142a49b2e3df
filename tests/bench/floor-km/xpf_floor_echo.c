// SPDX-License-Identifier: GPL-2.0
/*
 * xpf_floor_echo: dom0's side of the bench's floor (see xpf_floor.c). It binds the driver
 * domain's port and answers every event with one, from its interrupt handler, as pciback's
 * handler is the first thing a config op meets in dom0. One hello event once it is bound.
 */
#include <linux/module.h>
#include <linux/interrupt.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

static int domid = -1;
module_param(domid, int, 0444);
MODULE_PARM_DESC(domid, "the driver domain");
static int port = -1;
module_param(port, int, 0444);
MODULE_PARM_DESC(port, "its xpf_floor port");

static evtchn_port_t local;
static int irq = -1;

static irqreturn_t on_event(int irq, void *data)
{
	notify_remote_via_evtchn(local);
	return IRQ_HANDLED;
}

static int __init xpf_floor_echo_init(void)
{
	struct evtchn_bind_interdomain bind = { .remote_dom = domid, .remote_port = port };
	struct evtchn_close close;
	int err;

	if (domid <= 0 || port <= 0)
		return -EINVAL;
	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (err)
		return err;
	local = bind.local_port;
	irq = bind_evtchn_to_irqhandler(local, on_event, 0, "xpf_floor_echo", NULL);
	if (irq < 0) {
		close.port = local;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return irq;
	}
	notify_remote_via_evtchn(local); /* hello */
	pr_info("xpf_floor_echo: domain %d port %d bound as %u\n", domid, port, local);
	return 0;
}

static void __exit xpf_floor_echo_exit(void)
{
	unbind_from_irqhandler(irq, NULL);
}

module_init(xpf_floor_echo_init);
module_exit(xpf_floor_echo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xen-pcifront-cxx bench: dom0's echo for the kernel-to-kernel event-channel floor");
