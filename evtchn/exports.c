// SPDX-License-Identifier: GPL-2.0
/*
 * The shims the other modules of the set call, exported by this base module into the set's
 * namespace: one copy of shim/ is loaded, not one per module. The list is what the other
 * modules leave undefined (nm -u); a name missing here fails their modpost check, a name no
 * module uses is only a few bytes. The sized init names (kcxx_mutex_init and the others) are
 * macros that expand to the name for this kernel's lock and work sizes.
 *
 * debugfs files made through kcxx_debugfs_create_show() are owned by this module (their fops'
 * .owner): an open file pins this module, and debugfs_remove() waits for a read in flight, so
 * a module that removes its files before freeing their data stays safe.
 */
#include "kcxx/debugfs.h"
#include "kcxx/evtchn.h"
#include "kcxx/grant.h"
#include "kcxx/lock.h"
#include "kcxx/log.h"
#include "kcxx/mem.h"
#include "kcxx/pci.h"
#include "kcxx/runtime.h"
#include "kcxx/time.h"
#include "kcxx/work.h"
#include "kcxx/xenbus.h"
#include "xpf/ns.h"

XPF_EXPORT(kcxx_bad_errno);
XPF_EXPORT(kcxx_bind_evtchn_lateeoi);
XPF_EXPORT(kcxx_bug);
XPF_EXPORT(kcxx_cancel_work_sync);
XPF_EXPORT(kcxx_cpu_relax);
XPF_EXPORT(kcxx_debugfs_create_dir);
XPF_EXPORT(kcxx_debugfs_create_show);
XPF_EXPORT(kcxx_debugfs_remove);
XPF_EXPORT(kcxx_dev_vlog);
XPF_EXPORT(kcxx_free_irq);
XPF_EXPORT(kcxx_kfree);
XPF_EXPORT(kcxx_ktime_get_ns);
XPF_EXPORT(kcxx_ktime_get_snapshot);
XPF_EXPORT(kcxx_kzalloc);
XPF_EXPORT(kcxx_msleep);
XPF_EXPORT(kcxx_mutex_init);
XPF_EXPORT(kcxx_mutex_lock);
XPF_EXPORT(kcxx_mutex_unlock);
XPF_EXPORT(kcxx_notify_remote_via_evtchn);
XPF_EXPORT(kcxx_notify_remote_via_irq);
XPF_EXPORT(kcxx_pci_aer_call);
XPF_EXPORT(kcxx_pci_bus_add_devices);
XPF_EXPORT(kcxx_pci_bus_domain_nr);
XPF_EXPORT(kcxx_pci_bus_host_parent);
XPF_EXPORT(kcxx_pci_bus_number);
XPF_EXPORT(kcxx_pci_bus_owner);
XPF_EXPORT(kcxx_pci_claim_resource);
XPF_EXPORT(kcxx_pci_dev_bus);
XPF_EXPORT(kcxx_pci_dev_put);
XPF_EXPORT(kcxx_pci_devfn);
XPF_EXPORT(kcxx_pci_find_bus);
XPF_EXPORT(kcxx_pci_get_domain_bus_and_slot);
XPF_EXPORT(kcxx_pci_get_slot);
XPF_EXPORT(kcxx_pci_lock_rescan_remove);
XPF_EXPORT(kcxx_pci_msi_indices);
XPF_EXPORT(kcxx_pci_msi_irqs);
XPF_EXPORT(kcxx_pci_name);
XPF_EXPORT(kcxx_pci_num_resources);
XPF_EXPORT(kcxx_pci_remove_root_bus);
XPF_EXPORT(kcxx_pci_resource_len);
XPF_EXPORT(kcxx_pci_resource_start);
XPF_EXPORT(kcxx_pci_resource_unclaimed);
XPF_EXPORT(kcxx_pci_scan_root_bus);
XPF_EXPORT(kcxx_pci_scan_single_device);
XPF_EXPORT(kcxx_pci_set_driver_override);
XPF_EXPORT(kcxx_pci_stop_and_remove_bus_device);
XPF_EXPORT(kcxx_pci_to_device);
XPF_EXPORT(kcxx_pci_unlock_rescan_remove);
XPF_EXPORT(kcxx_pci_walk_bus);
XPF_EXPORT(kcxx_pci_xen_dma_ready);
XPF_EXPORT(kcxx_pci_xen_swiotlb_init_late);
XPF_EXPORT(kcxx_request_evtchn_irq);
XPF_EXPORT(kcxx_schedule_work);
XPF_EXPORT(kcxx_seq_vprintf);
XPF_EXPORT(kcxx_spin_lock_init);
XPF_EXPORT(kcxx_spin_lock_irqsave);
XPF_EXPORT(kcxx_spin_unlock_irqrestore);
XPF_EXPORT(kcxx_unbind_irq);
XPF_EXPORT(kcxx_vlog);
XPF_EXPORT(kcxx_vsnprintf);
XPF_EXPORT(kcxx_work_init);
XPF_EXPORT(kcxx_xen_clear_irq_pending);
XPF_EXPORT(kcxx_evtchn_interdomain_peer);
XPF_EXPORT(kcxx_xen_initial_domain);
XPF_EXPORT(kcxx_xen_irq_lateeoi);
XPF_EXPORT(kcxx_xen_pirq_from_irq);
XPF_EXPORT(kcxx_xen_pirq_valid);
XPF_EXPORT(kcxx_xen_poll_irq_timeout);
XPF_EXPORT(kcxx_xen_pv_domain);
XPF_EXPORT(kcxx_xen_runstate_entry_ns);
XPF_EXPORT(kcxx_xen_system_time_ns);
XPF_EXPORT(kcxx_xenbus_alloc_evtchn);
XPF_EXPORT(kcxx_xenbus_dev_fatal);
XPF_EXPORT(kcxx_xenbus_free_evtchn);
XPF_EXPORT(kcxx_xenbus_get_drvdata);
XPF_EXPORT(kcxx_xenbus_nodename);
XPF_EXPORT(kcxx_xenbus_otherend);
XPF_EXPORT(kcxx_xenbus_otherend_id);
XPF_EXPORT(kcxx_xenbus_read);
XPF_EXPORT(kcxx_xenbus_read_otherend_state);
XPF_EXPORT(kcxx_xenbus_read_presence);
XPF_EXPORT(kcxx_xenbus_set_drvdata);
XPF_EXPORT(kcxx_xenbus_setup_ring);
XPF_EXPORT(kcxx_xenbus_state);
XPF_EXPORT(kcxx_xenbus_switch_state);
XPF_EXPORT(kcxx_xenbus_teardown_ring);
XPF_EXPORT(kcxx_xenbus_to_device);
XPF_EXPORT(kcxx_xenbus_transaction_end);
XPF_EXPORT(kcxx_xenbus_transaction_start);
XPF_EXPORT(kcxx_xenbus_write);
