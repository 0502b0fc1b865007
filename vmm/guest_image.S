/* SPDX-License-Identifier: MIT */
/*
 * The default guest kernel, embedded in the ebb binary so `ebb run` needs
 * no other file.  EBB_GUEST_ELF is the image's path, set by vmm/Makefile.inc.
 */
	.section .rodata.ebb_guest_image, "a"
	.balign 64
	.globl ebb_guest_image
	.globl ebb_guest_image_end
ebb_guest_image:
	.incbin EBB_GUEST_ELF
ebb_guest_image_end:

	.section .note.GNU-stack, "", @progbits
