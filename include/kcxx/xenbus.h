/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <xen/xenbus.h> and <xen/xen.h>. */
#ifndef KCXX_XENBUS_H
#define KCXX_XENBUS_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct device;
struct xenbus_device;

/* XBT_NIL: outside any transaction. */
#define KCXX_XBT_NIL 0u

bool kcxx_xen_domain(void);
bool kcxx_xen_pv_domain(void);
bool kcxx_xen_initial_domain(void);

/* The xenbus_device's fields, read through accessors because C++ cannot see the struct. */
const char *kcxx_xenbus_nodename(const struct xenbus_device *xdev);
const char *kcxx_xenbus_otherend(const struct xenbus_device *xdev);
int kcxx_xenbus_otherend_id(const struct xenbus_device *xdev);
int kcxx_xenbus_state(const struct xenbus_device *xdev);
struct device *kcxx_xenbus_to_device(struct xenbus_device *xdev);
void *kcxx_xenbus_get_drvdata(struct xenbus_device *xdev);
void kcxx_xenbus_set_drvdata(struct xenbus_device *xdev, void *data);
/* A reference that keeps the xenbus_device (not its driver binding) alive. */
void kcxx_xenbus_get(struct xenbus_device *xdev);
void kcxx_xenbus_put(struct xenbus_device *xdev);

/* A string value, kmalloc'd (free with kcxx_kfree), or an ERR_PTR. */
char *kcxx_xenbus_read(uint32_t xbt, const char *dir, const char *node, unsigned int *len)
	KCXX_MUST_CHECK;
int kcxx_xenbus_write(uint32_t xbt, const char *dir, const char *node, const char *value)
	KCXX_MUST_CHECK;
int kcxx_xenbus_exists(uint32_t xbt, const char *dir, const char *node);
int kcxx_xenbus_transaction_start(uint32_t *xbt) KCXX_MUST_CHECK;
int kcxx_xenbus_transaction_end(uint32_t xbt, bool abort);
int kcxx_xenbus_switch_state(struct xenbus_device *xdev, int state);
int kcxx_xenbus_read_otherend_state(struct xenbus_device *xdev);
/*
 * What tells whether our xenbus device vanished (xen::vanished() decides): whether the core
 * still has it registered, whether it marked it vanished (2026 kernels; false before), and our
 * "state" node as read now (@state_read: 1 when read, a negative errno when not).
 */
struct kcxx_xenbus_presence {
	bool registered;
	bool core_vanished;
	int state_read;
	int state;
	int ours;
};
void kcxx_xenbus_read_presence(struct xenbus_device *xdev, struct kcxx_xenbus_presence *p);
void kcxx_xenbus_dev_fatal(struct xenbus_device *xdev, int err, const char *what);
void kcxx_xenbus_dev_error(struct xenbus_device *xdev, int err, const char *what);

/* One page shared with the other end: allocated, zeroed and granted (xenbus_setup_ring). */
int kcxx_xenbus_setup_ring(struct xenbus_device *xdev, void **vaddr, uint32_t *gref)
	KCXX_MUST_CHECK;
void kcxx_xenbus_teardown_ring(void **vaddr, uint32_t *gref);

int kcxx_xenbus_alloc_evtchn(struct xenbus_device *xdev, uint32_t *port) KCXX_MUST_CHECK;
void kcxx_xenbus_free_evtchn(struct xenbus_device *xdev, uint32_t port);

KCXX_EXTERN_C_END

#endif /* KCXX_XENBUS_H */
