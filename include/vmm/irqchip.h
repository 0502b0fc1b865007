/* SPDX-License-Identifier: MIT */
/* The in-kernel interrupt controllers: LAPICs, IOAPIC, PICs and the PIT. */
#ifndef EBB_VMM_IRQCHIP_H
#define EBB_VMM_IRQCHIP_H

#include <stddef.h>

/* KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2.  0, or -1 with a message. */
int irqchip_create(int vm_fd, char *err, size_t errlen);
/* Drive ISA/GSI line @irq to @level.  0 or -1 (errno). */
int irqchip_line(int vm_fd, unsigned int irq, int level);

#endif
