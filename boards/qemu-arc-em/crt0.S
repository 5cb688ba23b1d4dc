/* Startup for the emulated ARC EM (QEMU -M virt -cpu arcem): vector table, stack, .data, .bss,
 * then fw_main. A firmware reset (the protocol's RESET request) jumps back to _start. */
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
	/* .data: copy from its load address when that differs (it does not under QEMU's ELF loader). */
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
2:	/* .bss: zero it (the linker script aligns both ends to 4). */
	mov r0, __bss_start
	mov r1, __bss_end
	mov r3, 0
3:	cmp r0, r1
	bhs 4f
	st.ab r3, [r0, 4]
	b 3b
4:	bl fw_main
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
