// SPDX-License-Identifier: GPL-2.0
/* Shim for <xen/events.h>. */
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <asm/pvclock.h>
#include <linux/smp.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/vcpu.h>
#include <xen/xen-ops.h>
#include <asm/xen/hypercall.h>

#include "kcxx/evtchn.h"

static_assert(KCXX_IRQ_NONE == (int)IRQ_NONE && KCXX_IRQ_HANDLED == (int)IRQ_HANDLED);

/* Every binding made through this shim has a kcxx_irq_action as its dev_id. */
static irqreturn_t kcxx_irq_trampoline(int irq, void *dev_id)
{
	struct kcxx_irq_action *action = dev_id;

	return (irqreturn_t)action->handler(irq, action->data);
}

int kcxx_bind_evtchn_lateeoi(uint32_t port, struct kcxx_irq_action *action, const char *name)
{
	return bind_evtchn_to_irqhandler_lateeoi(port, kcxx_irq_trampoline, 0, name, action);
}

int kcxx_bind_evtchn(uint32_t port, struct kcxx_irq_action *action, const char *name)
{
	return bind_evtchn_to_irqhandler(port, kcxx_irq_trampoline, 0, name, action);
}

void kcxx_unbind_irq(int irq, struct kcxx_irq_action *action)
{
	unbind_from_irqhandler(irq, action);
}

void kcxx_free_irq(int irq, struct kcxx_irq_action *action)
{
	free_irq(irq, action);
}

int kcxx_request_evtchn_irq(int irq, struct kcxx_irq_action *action, const char *name)
{
	return request_irq(irq, kcxx_irq_trampoline, 0, name, action);
}

int kcxx_evtchn_interdomain_peer(uint32_t port)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);

	if (rc < 0)
		return rc;
	if (st.status != EVTCHNSTAT_interdomain)
		return -ENOTCONN;
	return st.u.interdomain.dom;
}

void kcxx_xen_irq_lateeoi(int irq, bool spurious)
{
	xen_irq_lateeoi(irq, spurious ? XEN_EOI_FLAG_SPURIOUS : 0);
}

void kcxx_notify_remote_via_irq(int irq)
{
	notify_remote_via_irq(irq);
}

void kcxx_notify_remote_via_evtchn(uint32_t port)
{
	notify_remote_via_evtchn(port);
}

int kcxx_xen_system_time_ns(uint64_t *now)
{
	struct pvclock_vsyscall_time_info *ti = pvclock_get_pvti_cpu0_va();
	const struct pvclock_vcpu_time_info *src;
	unsigned int version;
	u64 t;

	if (!ti)
		return -ENODEV;
	src = &ti->pvti;
	if (!(READ_ONCE(src->flags) & PVCLOCK_TSC_STABLE_BIT))
		return -EOPNOTSUPP;
	/* The pvclock read protocol: retry while Xen updates the area. */
	do {
		version = pvclock_read_begin(src);
		t = __pvclock_read_cycles(src, rdtsc_ordered());
	} while (pvclock_read_retry(src, version));
	*now = t;
	return 0;
}

int kcxx_xen_runstate_entry_ns(uint64_t *t)
{
	struct vcpu_runstate_info info;
	int cpu = get_cpu();
	int err = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, xen_vcpu_nr(cpu), &info);

	put_cpu();
	if (!err)
		*t = info.state_entry_time;
	return err;
}

void kcxx_xen_poll_irq_timeout(int irq, uint64_t deadline_ns)
{
	xen_poll_irq_timeout(irq, deadline_ns);
}

void kcxx_xen_clear_irq_pending(int irq)
{
	xen_clear_irq_pending(irq);
}

int kcxx_xen_pirq_from_irq(int irq)
{
	return xen_pirq_from_irq(irq);
}

/* Xen answers PHYSDEVOP_irq_status_query only for pirqs below the domain's nr_pirqs. */
bool kcxx_xen_pirq_valid(unsigned int pirq)
{
	struct physdev_irq_status_query q = { .irq = pirq };

	return HYPERVISOR_physdev_op(PHYSDEVOP_irq_status_query, &q) == 0;
}
