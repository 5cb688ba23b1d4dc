/* Startup shared by the ARC EM boards (qemu-arc-em, emsdp): vector table, stack, .data, the
 * zero-initialised ranges, then fw_main. A firmware reset (the protocol's RESET request) jumps back
 * to _start. The board's link.ld defines __stack_top, __data_{start,end,load} and __zero_table: pairs
 * of (start, end) words, 4-byte aligned, one per NOBITS output section (.bss, and each arena section
 * mapped to another region). */
	.section .vectors, "a"
	.align 4
	.global _vectors
_vectors:
	.word _start                /* 0 reset */
	.rept 15
	.word _fw_exception         /* 1..15 memory error, instruction error, machine check, TLB, privilege, trap, ... */
	.endr
	.rept 16
	.word _fw_exception         /* 16..31 interrupts: none are enabled */
	.endr

	.text
	.align 4
	.global _start
	.type _start, @function
_start:
	clri                        /* interrupts off, also after a firmware reset */
	mov sp, __stack_top
	mov r0, _vectors
	sr r0, [0x25]               /* INT_VECTOR_BASE: 0 at reset; point it at our table */
	/* .data: copy from its load address when that differs (it does not when an ELF loader, QEMU's,
	 * gdb's or the EMSDP's SD card bootloader, places each segment). */
	mov r0, __data_start
	mov r1, __data_end
	mov r2, __data_load
	cmp r0, r2
	beq 2f
1:	cmp r0, r1
	bhs 2f
	ld.ab r3, [r2, 4]
	st.ab r3, [r0, 4]
	b 1b
2:	/* Every (start, end) pair of __zero_table: zero it (a firmware reset must clear them again). */
	mov r4, __zero_table
	mov r5, __zero_table_end
	mov r3, 0
3:	cmp r4, r5
	bhs 5f
	ld.ab r0, [r4, 4]
	ld.ab r1, [r4, 4]
4:	cmp r0, r1
	bhs 3b
	st.ab r3, [r0, 4]
	b 4b
5:	bl fw_main
	mov r0, 0
	b fw_exit
	.size _start, . - _start

	.align 4
	.type _fw_exception, @function
_fw_exception:
	mov sp, __stack_top         /* the stack may be what faulted */
	lr r0, [0x403]              /* ECR */
	lr r1, [0x400]              /* ERET: the faulting instruction */
	lr r2, [0x404]              /* EFA: the faulting address */
	b fw_exception
	.size _fw_exception, . - _fw_exception
