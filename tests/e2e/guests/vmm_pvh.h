/* SPDX-License-Identifier: MIT */
/* Shared by the tiny test guests: the PVH note and a serial print helper. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PVH_NOTE(entry)				\
	.pushsection .note.pvh, "a", @note;	\
	.balign 4;				\
	.long 4;				\
	.long 4;				\
	.long XEN_ELFNOTE_PHYS32_ENTRY;		\
	.asciz "Xen";				\
	.balign 4;				\
	.long entry;				\
	.popsection

/* Print the NUL-terminated string at %esi on COM1; clobbers eax, edx, esi. */
#define PUTS_FN					\
puts:						\
	mov $0x3f8, %dx;			\
1:	lodsb;					\
	test %al, %al;				\
	jz 2f;					\
	out %al, %dx;				\
	jmp 1b;					\
2:	ret

/* Power off with status \code through the isa-debug-exit port. */
#define POWEROFF(code)				\
	mov $0xf4, %dx;				\
	mov $(code), %al;			\
	out %al, %dx;				\
99:	hlt;					\
	jmp 99b

/* A small stack: PVH hands over none (ESP is undefined). */
#define STACK_SETUP				\
	mov $stack_top, %esp;			\
	.pushsection .bss;			\
	.balign 16;				\
	.skip 4096;				\
stack_top:					\
	.popsection
