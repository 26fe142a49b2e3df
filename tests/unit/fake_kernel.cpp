// SPDX-License-Identifier: GPL-2.0
#include "fake_kernel.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kcxx/evtchn.h"
#include "kcxx/grant.h"
#include "kcxx/lock.h"
#include "kcxx/mem.h"
#include "kcxx/pci.h"
#include "kcxx/xenbus.h"

FakeKernel fake;

int FakeKernel::count(const std::string &prefix) const
{
	int n = 0;
	for (const auto &c : calls)
		n += c.rfind(prefix, 0) == 0;
	return n;
}

static void rec(const std::string &s) { fake.calls.push_back(s); }
static char page[4096];
void *fake_ring_page()
{
	return page;
}

extern "C" {

// pci_dev and pci_bus stay opaque: both stand for the FakePciFunction itself.
struct pci_dev *kcxx_pci_get_domain_bus_and_slot(int domain, unsigned int bus, unsigned int devfn)
{
	if (fake.find_pci)
		if (struct pci_dev *d = fake.find_pci(domain, bus, devfn)) {
			rec("pci_get");
			return d;
		}
	for (auto &f : fake.pci)
		if (f.domain == domain && f.bus == bus && f.devfn == devfn) {
			rec("pci_get");
			return reinterpret_cast<struct pci_dev *>(&f);
		}
	return nullptr;
}
void kcxx_pci_dev_put(struct pci_dev *) { rec("pci_put"); }
struct pci_bus *kcxx_pci_dev_bus(struct pci_dev *pdev) { return reinterpret_cast<struct pci_bus *>(pdev); }
struct device *kcxx_pci_bus_host_parent(struct pci_bus *bus)
{
	return reinterpret_cast<FakePciFunction *>(bus)->parent;
}

int kcxx_xenbus_setup_ring(struct xenbus_device *, void **vaddr, uint32_t *gref)
{
	rec("setup_ring");
	if (fake.fail_setup_ring)
		return -fake.fail_setup_ring;
	*vaddr = page;
	*gref = 77;
	return 0;
}

void kcxx_xenbus_teardown_ring(void **vaddr, uint32_t *gref)
{
	rec("teardown_ring " + std::to_string(*gref));
	*vaddr = nullptr;
	*gref = 0;
}

int kcxx_xenbus_alloc_evtchn(struct xenbus_device *, uint32_t *port)
{
	rec("alloc_evtchn");
	if (fake.fail_alloc_evtchn)
		return -fake.fail_alloc_evtchn;
	*port = 9;
	return 0;
}

void kcxx_xenbus_free_evtchn(struct xenbus_device *, uint32_t port) { rec("free_evtchn " + std::to_string(port)); }

static int bind(const char *kind, uint32_t port)
{
	rec(std::string(kind) + " " + std::to_string(port));
	if (fake.fail_bind)
		return -fake.fail_bind;
	if (fake.fire_on_bind && fake.irq_action)
		fake.irq_action->handler(33, fake.irq_action->data);
	return 33;
}
int kcxx_bind_evtchn_lateeoi(uint32_t port, struct kcxx_irq_action *a, const char *)
{
	fake.irq_action = a;
	return bind("bind_lateeoi", port);
}
int kcxx_bind_evtchn(uint32_t port, struct kcxx_irq_action *a, const char *)
{
	fake.irq_action = a;
	return bind("bind", port);
}
void kcxx_unbind_irq(int irq, struct kcxx_irq_action *) { rec("unbind " + std::to_string(irq)); }
void kcxx_free_irq(int irq, struct kcxx_irq_action *) { rec("free_irq " + std::to_string(irq)); }
int kcxx_request_evtchn_irq(int irq, struct kcxx_irq_action *a, const char *)
{
	rec("request_irq " + std::to_string(irq));
	if (fake.fail_bind)
		return -fake.fail_bind;
	fake.irq_action = a;
	if (fake.fire_on_bind)
		a->handler(irq, a->data);
	return 0;
}

int kcxx_gnttab_grant_page(uint16_t domid, const void *, bool) { rec("grant " + std::to_string(domid)); return 12; }
void kcxx_gnttab_end_access(uint32_t ref) { rec("end_access " + std::to_string(ref)); }
bool kcxx_gnttab_try_end_access(uint32_t) { return true; }

int kcxx_xenbus_transaction_start(uint32_t *xbt)
{
	rec("transaction_start");
	*xbt = 5;
	return 0;
}

int kcxx_xenbus_transaction_end(uint32_t xbt, bool abort)
{
	rec(std::string(abort ? "transaction_abort " : "transaction_commit ") + std::to_string(xbt));
	return abort ? 0 : fake.transaction_end_result;
}

char *kcxx_xenbus_read(uint32_t xbt, const char *dir, const char *node, unsigned int *len)
{
	if (!*node) // the whole path in @dir (a key of our domain's home, say)
		node = dir;
	rec(std::string("read ") + node);
	fake.reads.emplace_back(xbt, node);
	if (fake.read_error)
		return reinterpret_cast<char *>(static_cast<intptr_t>(-fake.read_error));
	if (auto e = fake.store_errors.find(node); e != fake.store_errors.end())
		return reinterpret_cast<char *>(static_cast<intptr_t>(-e->second));
	const char *v = fake.read_value;
	if (!fake.store.empty()) {
		auto it = fake.store.find(node);
		if (it == fake.store.end())
			return reinterpret_cast<char *>(static_cast<intptr_t>(-2)); // ENOENT
		v = it->second.c_str();
	}
	if (!v)
		return nullptr;
	*len = static_cast<unsigned int>(std::strlen(v));
	char *s = static_cast<char *>(kcxx_kzalloc(*len + 1, KCXX_GFP_KERNEL));
	std::memcpy(s, v, *len);
	return s;
}

void kcxx_spin_lock_init(struct kcxx_spinlock *, const char *name, struct kcxx_lock_key *key)
{
	rec(std::string("spin_lock_init ") + name + " " +
	    std::to_string(reinterpret_cast<uintptr_t>(key)));
}
unsigned long kcxx_spin_lock_irqsave(struct kcxx_spinlock *)
{
	++fake.locks_held;
	return 0x200;
}
void kcxx_spin_unlock_irqrestore(struct kcxx_spinlock *, unsigned long flags)
{
	if (flags == 0x200)
		--fake.locks_held;
}

} // extern "C"
