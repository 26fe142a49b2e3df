// SPDX-License-Identifier: GPL-2.0
/* Shim for <xen/xenbus.h> and <xen/xen.h>. */
#include <linux/slab.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "kcxx/xenbus.h"

static struct xenbus_transaction kcxx_xbt(uint32_t id)
{
	struct xenbus_transaction t = { .id = id };

	return t;
}

bool kcxx_xen_domain(void)
{
	return xen_domain();
}

bool kcxx_xen_pv_domain(void)
{
	return xen_pv_domain();
}

bool kcxx_xen_initial_domain(void)
{
	return xen_initial_domain();
}

const char *kcxx_xenbus_nodename(const struct xenbus_device *xdev)
{
	return xdev->nodename;
}

const char *kcxx_xenbus_otherend(const struct xenbus_device *xdev)
{
	return xdev->otherend;
}

int kcxx_xenbus_otherend_id(const struct xenbus_device *xdev)
{
	return xdev->otherend_id;
}

int kcxx_xenbus_state(const struct xenbus_device *xdev)
{
	return xdev->state;
}

struct device *kcxx_xenbus_to_device(struct xenbus_device *xdev)
{
	return &xdev->dev;
}

void *kcxx_xenbus_get_drvdata(struct xenbus_device *xdev)
{
	return dev_get_drvdata(&xdev->dev);
}

void kcxx_xenbus_set_drvdata(struct xenbus_device *xdev, void *data)
{
	dev_set_drvdata(&xdev->dev, data);
}

void kcxx_xenbus_get(struct xenbus_device *xdev)
{
	get_device(&xdev->dev);
}

void kcxx_xenbus_put(struct xenbus_device *xdev)
{
	put_device(&xdev->dev);
}

char *kcxx_xenbus_read(uint32_t xbt, const char *dir, const char *node, unsigned int *len)
{
	return xenbus_read(kcxx_xbt(xbt), dir, node, len);
}

int kcxx_xenbus_write(uint32_t xbt, const char *dir, const char *node, const char *value)
{
	return xenbus_write(kcxx_xbt(xbt), dir, node, value);
}

int kcxx_xenbus_exists(uint32_t xbt, const char *dir, const char *node)
{
	return xenbus_exists(kcxx_xbt(xbt), dir, node);
}

int kcxx_xenbus_transaction_start(uint32_t *xbt)
{
	struct xenbus_transaction t;
	int err = xenbus_transaction_start(&t);

	*xbt = t.id;
	return err;
}

int kcxx_xenbus_transaction_end(uint32_t xbt, bool abort)
{
	return xenbus_transaction_end(kcxx_xbt(xbt), abort);
}

int kcxx_xenbus_switch_state(struct xenbus_device *xdev, int state)
{
	return xenbus_switch_state(xdev, state);
}

void kcxx_xenbus_read_presence(struct xenbus_device *xdev, struct kcxx_xenbus_presence *p)
{
	p->registered = device_is_registered(&xdev->dev);
#ifdef KCXX_XENBUS_VANISHED
	p->core_vanished = xdev->vanished;
#else
	p->core_vanished = false;
#endif
	p->state = XenbusStateUnknown;
	p->state_read = xenbus_scanf(XBT_NIL, xdev->nodename, "state", "%d", &p->state);
	p->ours = xdev->state;
}

int kcxx_xenbus_read_otherend_state(struct xenbus_device *xdev)
{
#ifdef KCXX_XENBUS_STATE_TAKES_DEV
	return xenbus_read_driver_state(xdev, xdev->otherend);
#else
	return xenbus_read_driver_state(xdev->otherend);
#endif
}

void kcxx_xenbus_dev_fatal(struct xenbus_device *xdev, int err, const char *what)
{
	xenbus_dev_fatal(xdev, err, "%s", what);
}

void kcxx_xenbus_dev_error(struct xenbus_device *xdev, int err, const char *what)
{
	xenbus_dev_error(xdev, err, "%s", what);
}

int kcxx_xenbus_setup_ring(struct xenbus_device *xdev, void **vaddr, uint32_t *gref)
{
	return xenbus_setup_ring(xdev, GFP_KERNEL, vaddr, 1, gref);
}

void kcxx_xenbus_teardown_ring(void **vaddr, uint32_t *gref)
{
	xenbus_teardown_ring(vaddr, 1, gref);
}

int kcxx_xenbus_alloc_evtchn(struct xenbus_device *xdev, uint32_t *port)
{
	return xenbus_alloc_evtchn(xdev, port);
}

void kcxx_xenbus_free_evtchn(struct xenbus_device *xdev, uint32_t port)
{
	xenbus_free_evtchn(xdev, port);
}
