/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <xen/events.h>. */
#ifndef KCXX_EVTCHN_H
#define KCXX_EVTCHN_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/* Values of irqreturn_t; shim/evtchn.c asserts that they match. */
enum kcxx_irqreturn {
	KCXX_IRQ_NONE = 0,
	KCXX_IRQ_HANDLED = 1,
};

/*
 * The handler of one binding. The shim registers a C trampoline with the kernel and passes it
 * this action, so C++ handlers need no cast of function-pointer types.
 */
struct kcxx_irq_action {
	enum kcxx_irqreturn (*handler)(int irq, void *data);
	void *data;
};

/* Storm-safe binding: the handler must end each event with kcxx_xen_irq_lateeoi(). */
int kcxx_bind_evtchn_lateeoi(uint32_t port, struct kcxx_irq_action *action, const char *name)
	KCXX_MUST_CHECK;
int kcxx_bind_evtchn(uint32_t port, struct kcxx_irq_action *action, const char *name)
	KCXX_MUST_CHECK;
void kcxx_unbind_irq(int irq, struct kcxx_irq_action *action);
/*
 * Handing a bound event channel from one handler to another without closing it: free_irq()
 * leaves the channel bound and masked (events stay pending), request_irq() unmasks it again.
 */
void kcxx_free_irq(int irq, struct kcxx_irq_action *action);
int kcxx_request_evtchn_irq(int irq, struct kcxx_irq_action *action, const char *name)
	KCXX_MUST_CHECK;
void kcxx_xen_irq_lateeoi(int irq, bool spurious);
void kcxx_notify_remote_via_irq(int irq);
/* For paths that may race with unbinding: a closed port makes this a no-op hypercall. */
void kcxx_notify_remote_via_evtchn(uint32_t port);

/*
 * Xen system time in ns, the time base of SCHEDOP_poll's absolute timeout: read from the
 * kernel's copy of vCPU0's pvclock area. -ENODEV when the kernel has none (not Xen, or Xen did
 * not accept the area), -EOPNOTSUPP when Xen does not mark the TSC stable (the reading would
 * only hold on vCPU0).
 */
int kcxx_xen_system_time_ns(uint64_t *now) KCXX_MUST_CHECK;

/*
 * When the calling vCPU last changed runstate, in Xen system time (VCPUOP_get_runstate_info): a
 * lower bound of Xen's NOW. A negative errno if Xen refuses.
 */
int kcxx_xen_runstate_entry_ns(uint64_t *t) KCXX_MUST_CHECK;

/* Blocks the vCPU until the irq's event is pending or Xen system time passes @deadline_ns. */
void kcxx_xen_poll_irq_timeout(int irq, uint64_t deadline_ns);
void kcxx_xen_clear_irq_pending(int irq);
/*
 * The domain at the other end of our event channel @port (EVTCHNOP_status), or -ENOTCONN when
 * the port is no longer an interdomain channel (the other end closed it), or the hypercall's
 * negative errno.
 */
int kcxx_evtchn_interdomain_peer(uint32_t port) KCXX_MUST_CHECK;
int kcxx_xen_pirq_from_irq(int irq);
/* Whether @pirq is within this domain's pirqs (PHYSDEVOP_irq_status_query). */
bool kcxx_xen_pirq_valid(unsigned int pirq);

KCXX_EXTERN_C_END

#endif /* KCXX_EVTCHN_H */
