// SPDX-License-Identifier: GPL-2.0
#include "fake_xen.hpp"

#include <cstdarg>
#include <cstdio>

#include "fake_kernel.hpp"
#include "kcxx/debugfs.h"
#include "kcxx/evtchn.h"
#include "kcxx/lock.h"
#include "kcxx/log.h"
#include "kcxx/pci.h"
#include "kcxx/time.h"
#include "kcxx/work.h"
#include "kcxx/xenbus.h"
#include "xpf/evtchn.h"

FakeXen fxen;

void FakeXen::run_work()
{
	auto items = queued_work;
	queued_work.clear();
	for (void *p : items) {
		auto *w = static_cast<struct kcxx_work *>(p);
		w->fn(w->data);
	}
}

void FakeXen::work_waited()
{
	if (on_work_wait)
		on_work_wait();
}

bool FakeXen::logged(const std::string &part) const
{
	for (const auto &l : logs)
		if (l.find(part) != std::string::npos)
			return true;
	return false;
}

std::string FakeXen::read_file(const std::string &name)
{
	std::string out;
	auto it = files.find(name);
	if (it != files.end())
		it->second.show(reinterpret_cast<struct seq_file *>(&out), it->second.data);
	return out;
}

static void answer()
{
	auto *page = fxen.page ? fxen.page : static_cast<xen_pci_sharedinfo *>(fake_ring_page());
	if (fxen.backend)
		fxen.backend->handle(page);
	fxen.port_pending = true; // pciback notifies after it clears the flag
}

static std::string vformat(const char *fmt, va_list ap)
{
	char buf[512];
	std::vsnprintf(buf, sizeof(buf), fmt, ap);
	return buf;
}

// The parts' log lines, the seq_file of a debugfs read: a std::string stands for each.
extern "C" {

unsigned int xpf_op_timeout_ms = 2000;
unsigned int xpf_op_spin_us = 0;
bool xpf_config_cache = true;

uint64_t kcxx_ktime_get_ns(void)
{
	++fxen.clock_reads;
	fxen.now_ns += fxen.tick_ns;
	return fxen.now_ns;
}
void kcxx_ktime_get_snapshot(uint64_t *cycles, uint64_t *raw_ns, uint32_t *cs_seq)
{
	*cycles = fxen.now_ns;
	*raw_ns = fxen.now_ns;
	*cs_seq = 1;
}
void kcxx_msleep(unsigned int ms)
{
	fxen.now_ns += ms * 1000000ull;
}
void kcxx_cpu_relax(void) {}
int kcxx_xen_system_time_ns(uint64_t *now)
{
	*now = fxen.now_ns;
	return 0;
}
int kcxx_xen_runstate_entry_ns(uint64_t *t)
{
	*t = fxen.now_ns;
	return 0;
}

void kcxx_notify_remote_via_irq(int)
{
	++fxen.notifies;
	if (fxen.silent)
		return;
	if (fxen.answer_after_polls > 0)
		fxen.pending = fxen.answer_after_polls;
	else
		answer();
}
void kcxx_notify_remote_via_evtchn(uint32_t)
{
	++fxen.port_notifies;
	if (fxen.on_port_notify)
		fxen.on_port_notify();
}
void kcxx_xen_clear_irq_pending(int)
{
	++fxen.pending_clears;
	fxen.port_pending = false;
}
void kcxx_xen_poll_irq_timeout(int, uint64_t deadline_ns)
{
	++fxen.polls;
	// A blocking poll sleeps to its deadline (Xen time is now_ns here) when nothing comes.
	if (deadline_ns > fxen.now_ns)
		fxen.now_ns = deadline_ns;
	else
		fxen.now_ns += 1000000;
	if (fxen.pending > 0 && --fxen.pending == 0)
		answer();
}
void kcxx_xen_irq_lateeoi(int, bool spurious)
{
	++fxen.eois;
	fxen.spurious_eois += spurious;
}

void kcxx_dev_vlog(const struct device *, int, const char *fmt, __builtin_va_list *args)
{
	fxen.logs.push_back(vformat(fmt, *args));
}
void kcxx_vlog(const char *, int, const char *fmt, __builtin_va_list *args)
{
	fxen.logs.push_back(vformat(fmt, *args));
}
int kcxx_vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list *args)
{
	return std::vsnprintf(buf, size, fmt, *args);
}
void kcxx_seq_vprintf(struct seq_file *m, const char *fmt, __builtin_va_list *args)
{
	*reinterpret_cast<std::string *>(m) += vformat(fmt, *args);
}

// A xenbus_device and its struct device are the same opaque address here.
struct device *kcxx_xenbus_to_device(struct xenbus_device *xdev)
{
	return reinterpret_cast<struct device *>(xdev);
}
const char *kcxx_xenbus_nodename(const struct xenbus_device *)
{
	return "device/pci/0";
}
const char *kcxx_xenbus_otherend(const struct xenbus_device *)
{
	return "backend/pci/1/0";
}
int kcxx_xenbus_otherend_id(const struct xenbus_device *)
{
	return 0;
}
int kcxx_evtchn_interdomain_peer(uint32_t)
{
	return fxen.channel_peer;
}
int kcxx_xenbus_state(const struct xenbus_device *)
{
	return fxen.ours;
}
int kcxx_xenbus_read_otherend_state(struct xenbus_device *)
{
	return fxen.be_state;
}
int kcxx_xenbus_switch_state(struct xenbus_device *, int state)
{
	fxen.switches.push_back(state);
	fxen.ours = state;
	return 0;
}
void kcxx_xenbus_read_presence(struct xenbus_device *, struct kcxx_xenbus_presence *p)
{
	p->registered = true;
	p->core_vanished = fxen.vanished;
	p->state_read = 1;
	p->state = fxen.ours;
	p->ours = fxen.ours;
}
void kcxx_xenbus_dev_fatal(struct xenbus_device *, int err, const char *what)
{
	fxen.fatals.push_back(std::to_string(err) + " " + what);
	fxen.ours = 5; // Closing, as xenbus_dev_fatal() switches
}

void kcxx_mutex_init(struct kcxx_mutex *, const char *, struct kcxx_lock_key *) {}
void kcxx_mutex_lock(struct kcxx_mutex *) {}
void kcxx_mutex_unlock(struct kcxx_mutex *) {}

// Directories are one address; each file gets its own, kept with its name until removed.
static int dentries[64];
struct dentry *kcxx_debugfs_create_dir(const char *, struct dentry *)
{
	return reinterpret_cast<struct dentry *>(&dentries[0]);
}
struct dentry *kcxx_debugfs_create_show(const char *name, struct dentry *,
					struct kcxx_debugfs_show *show)
{
	static int next = 2;
	auto *d = reinterpret_cast<struct dentry *>(&dentries[next]);
	next = next + 1 < 64 ? next + 1 : 2;
	fxen.files[name] = *show;
	fxen.file_names[d] = name;
	return d;
}
void kcxx_debugfs_remove(struct dentry *d)
{
	auto it = fxen.file_names.find(d);
	if (it == fxen.file_names.end())
		return;
	fxen.files.erase(it->second);
	fxen.file_names.erase(it);
}
struct dentry *xpf_debugfs_root(void)
{
	return reinterpret_cast<struct dentry *>(&dentries[1]);
}

int kcxx_pci_xen_swiotlb_init_late(struct device *)
{
	return fxen.swiotlb_error;
}
int xpf_msi_attach(struct xpf_msi_transport *t)
{
	if (fxen.msi_attach_error)
		return fxen.msi_attach_error;
	fxen.msi_transport = t;
	return 0;
}
void xpf_msi_detach(struct xpf_msi_transport *t)
{
	if (fxen.msi_transport == t)
		fxen.msi_transport = nullptr;
}

int kcxx_xenbus_write(uint32_t, const char *, const char *node, const char *value)
{
	fake.calls.push_back(std::string("write ") + node + "=" + value);
	return 0;
}

// pci_bus and pci_dev stand for a FakePciFunction (fake_kernel.hpp).
int kcxx_pci_bus_domain_nr(const struct pci_bus *bus)
{
	return reinterpret_cast<const FakePciFunction *>(bus)->domain;
}
unsigned int kcxx_pci_bus_number(const struct pci_bus *bus)
{
	return reinterpret_cast<const FakePciFunction *>(bus)->bus;
}
const char *kcxx_pci_name(const struct pci_dev *pdev)
{
	// Names are printed at once: a few buffers in turn are enough.
	static char names[4][32];
	static int next;
	const auto *f = reinterpret_cast<const FakePciFunction *>(pdev);
	char *n = names[next++ % 4];
	std::snprintf(n, 32, "%04x:%02x:%02x.%u", f->domain, f->bus, f->devfn >> 3, f->devfn & 7);
	return n;
}
int kcxx_pci_aer_call(struct pci_dev *, enum kcxx_pci_aer_step, uint32_t, uint32_t *result)
{
	*result = 5; // PCI_ERS_RESULT_RECOVERED
	return 0;
}

// What kcxx_work_init leaves in the work's storage: a work without it was never initialised
// (memory the allocator hands out is not zeroed, so a null fn alone would not tell).
static constexpr uint64_t kWorkInitialised = 0x5851f00dc0ffee11ull;
void kcxx_work_init(struct kcxx_work *work, void (*fn)(void *data), void *data)
{
	work->fn = fn;
	work->data = data;
	__builtin_memcpy(work->storage, &kWorkInitialised, sizeof(kWorkInitialised));
}
bool kcxx_schedule_work(struct kcxx_work *work)
{
	// The kernel WARNs on a work_struct that was never initialised (and queues garbage).
	uint64_t mark = 0;
	__builtin_memcpy(&mark, work->storage, sizeof(mark));
	if (mark != kWorkInitialised || !work->fn)
		++fxen.uninitialised_work_queued;
	for (void *p : fxen.queued_work)
		if (p == work)
			return false;
	fxen.queued_work.push_back(work);
	return true;
}
bool kcxx_cancel_work_sync(struct kcxx_work *work)
{
	fake.calls.push_back("cancel_work");
	for (auto it = fxen.queued_work.begin(); it != fxen.queued_work.end(); ++it)
		if (*it == work) {
			fxen.queued_work.erase(it);
			fxen.work_waited();
			return true;
		}
	fxen.work_waited();
	return false;
}

int xpf_evtchn_track(enum xpf_binding_kind, uint32_t, int, int, const char *)
{
	return fxen.tracked++;
}
int xpf_evtchn_untrack(int)
{
	--fxen.tracked;
	return 0;
}
int xpf_conn_park(struct xenbus_device *, const struct xpf_conn *conn)
{
	if (!fxen.keeper_takes || fxen.kept)
		return -28; // ENOSPC
	fxen.kept = true;
	fxen.kept_conn = *conn;
	return 0;
}
int xpf_conn_unpark(struct xenbus_device *, struct xpf_conn *conn)
{
	if (!fxen.kept)
		return -2; // ENOENT
	fxen.kept = false;
	*conn = fxen.kept_conn;
	return 0;
}
int xpf_conn_close(struct xenbus_device *)
{
	++fxen.conn_closes;
	if (!fxen.kept)
		return -2;
	fxen.kept = false;
	return 0;
}

} // extern "C"
