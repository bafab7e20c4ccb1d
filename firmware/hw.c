// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Cortex-M3 platform of QEMU's lm3s6965evb: vector table, reset (.data,
 * .bss, stack painting), UART0 log and command line, SysTick milliseconds,
 * the Stellaris Ethernet MAC (polled), non-volatile storage for the
 * session counter (ARM semihosting under QEMU), and the main loop.
 */
#include "fw.h"

#define REG(a)		(*(volatile osm_u32 *)(a))

/* UART0 (PL011-like) */
#define UART0		0x4000c000u
#define UART_DR		REG(UART0 + 0x00)
#define UART_FR		REG(UART0 + 0x18)
#define UART_LCRH	REG(UART0 + 0x2c)
#define UART_CTL	REG(UART0 + 0x30)
#define UART_LCRH_8N1_FIFO (3u << 5 | 1u << 4)	/* WLEN 8, FEN */
#define UART_FR_RXFE	(1u << 4)
#define UART_FR_TXFF	(1u << 5)
#define UART_CTL_EN	(1u << 0 | 1u << 8 | 1u << 9)	/* UARTEN TXE RXE */

/* Stellaris Ethernet MAC */
#define ETH		0x40048000u
#define MAC_RCTL	REG(ETH + 0x08)
#define MAC_TCTL	REG(ETH + 0x0c)
#define MAC_DATA	REG(ETH + 0x10)
#define MAC_IA0		REG(ETH + 0x14)
#define MAC_IA1		REG(ETH + 0x18)
#define MAC_NP		REG(ETH + 0x34)
#define MAC_TR		REG(ETH + 0x38)
#define RCTL_RXEN	(1u << 0)
#define RCTL_RSTFIFO	(1u << 4)
#define TCTL_TXEN	(1u << 0)
#define TCTL_PADEN	(1u << 1)
#define TCTL_CRC	(1u << 2)

/* SysTick */
#define SYST_CSR	REG(0xe000e010u)
#define SYST_RVR	REG(0xe000e014u)
#define SYST_CVR	REG(0xe000e018u)
#define SYST_ENABLE	(1u << 0)
#define SYST_TICKINT	(1u << 1)
#define SYST_CPUCLK	(1u << 2)
/* QEMU runs the lm3s6965evb core clock at 12 MHz after reset (RCC reset
 * value, no PLL set up): 12000 cycles a millisecond. */
#define CYCLES_PER_MS	12000u

#define STACK_PAINT	0x5a5aa5a5u

static volatile osm_u32 ms;	/* SysTick: milliseconds since boot */

extern osm_u32 _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _stack_top[];

/* The provisioning blob, in its own flash section at OSM_FW_BLOB_ADDR;
 * all zero (unprovisioned) until `objcopy --update-section` writes it. */
__attribute__((section(".provision"), used))
const struct osm_fw_blob fw_blob;

void fw_putc(char c)
{
	while (UART_FR & UART_FR_TXFF)
		;
	UART_DR = (osm_u8)c;
}

osm_u32 fw_stack_size(void)
{
	return (osm_u32)((osm_u8 *)_stack_top - (osm_u8 *)_ebss);
}

osm_u32 fw_stack_used(void)
{
	const osm_u32 *p = _ebss;

	while (p < _stack_top && *p == STACK_PAINT)
		p++;
	return (osm_u32)((const osm_u8 *)_stack_top - (const osm_u8 *)p);
}

/* ---- non-volatile storage ---------------------------------------------
 * On a real LM3S6965 the session counter would live in a flash page
 * written through the flash controller. QEMU's model of the part does not
 * emulate flash writes, so this build keeps the counter in a host file
 * through ARM semihosting (QEMU -semihosting-config enable=on): the file
 * "osm-nv-IIIIIIII" (the device id in hex) in QEMU's working directory,
 * 4 bytes, little-endian. Without semihosting the first call faults and
 * the device stops: it never sends without a fresh session. */
#define SYS_OPEN	0x01
#define SYS_CLOSE	0x02
#define SYS_WRITE	0x05
#define SYS_READ	0x06

static int semihost(int op, const void *args)
{
	register int r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = args;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

/* Open the counter's file in mode (semihosting: 1 "rb", 5 "wb"). */
static int nv_open(int mode)
{
	static const char hex[] = "0123456789abcdef";
	char name[16] = "osm-nv-";	/* on the stack: RAM is short */
	/* read through a pointer the compiler cannot see into: fw_blob is
	 * all zero as compiled, objcopy writes it afterwards */
	const osm_u8 *volatile blob = (const osm_u8 *)&fw_blob;
	osm_u32 id = osm_get_be32(blob + __builtin_offsetof(struct osm_fw_blob,
							  device_id)), i;

	for (i = 0; i < 8; i++)
		name[14 - i] = hex[(id >> (4 * i)) & 15];
	return semihost(SYS_OPEN, (const int[]){ (int)name, mode, 15 });
}

int fw_nv_session(osm_u32 *s)
{
	osm_u32 v = 0;
	int fd = nv_open(1), rc;

	if (fd >= 0) {		/* none: a new device, counter 0 */
		rc = semihost(SYS_READ, (const int[]){ fd, (int)&v, 4 });
		semihost(SYS_CLOSE, &fd);
		/* there but short (a write cut off): never guess, stay mute */
		if (rc)
			return -1;
	}
	*s = ++v;
	fd = nv_open(5);
	if (fd < 0)
		return -1;
	rc = semihost(SYS_WRITE, (const int[]){ fd, (int)&v, 4 });
	return semihost(SYS_CLOSE, &fd) || rc ? -1 : 0;
}

void fw_eth_send(const osm_u8 *frame, osm_u32 len)
{
	osm_u32 i, w;

	while (MAC_TR & 1)
		;
	/* First word: payload length (without the Ethernet header), dst[0..1] */
	MAC_DATA = (len - OSM_ETH_HLEN) | (osm_u32)frame[0] << 16 |
		   (osm_u32)frame[1] << 24;
	for (i = 2; i < len; i += 4) {
		w = 0;
		for (int j = 0; j < 4 && i + j < len; j++)
			w |= (osm_u32)frame[i + j] << (8 * j);
		MAC_DATA = w;
	}
	MAC_TR = 1;
}

/* Read one waiting frame into fw_frame. Returns its length, 0 if none, -1
 * if it was longer than fw_frame (drained and dropped). The FIFO holds a
 * 2-byte length (frame + 6), the frame, then the 4-byte FCS. */
static int eth_recv(void)
{
	osm_u32 w, total, words, i, n, off = 2;

	if (MAC_NP == 0)
		return 0;
	w = MAC_DATA;
	total = w & 0xffff;
	n = total > 6 ? total - 6 : 0;
	fw_frame[0] = (osm_u8)(w >> 16);
	fw_frame[1] = (osm_u8)(w >> 24);
	words = (total + 3) / 4;
	for (i = 1; i < words; i++, off += 4) {
		w = MAC_DATA;
		for (int j = 0; j < 4; j++)
			if (off + j < FW_FRAME_MAX)
				fw_frame[off + j] = (osm_u8)(w >> (8 * j));
	}
	return n > FW_FRAME_MAX ? -1 : (int)n;
}

static void eth_init(const osm_u8 *mac)
{
	MAC_RCTL = RCTL_RSTFIFO;
	MAC_IA0 = mac[0] | mac[1] << 8 | mac[2] << 16 | (osm_u32)mac[3] << 24;
	MAC_IA1 = mac[4] | mac[5] << 8;
	MAC_TCTL = TCTL_TXEN | TCTL_PADEN | TCTL_CRC;
	MAC_RCTL = RCTL_RXEN;
}

static void systick(void)
{
	ms++;
}

/*
 * Poll the NIC and the UART; when neither has work, sleep until the next
 * SysTick. The sleep matters in QEMU: a guest spinning on device registers
 * starves QEMU's I/O thread, which then delivers frames and UART input
 * late.
 */
static void __attribute__((noreturn)) fw_main(void)
{
	osm_u32 now, last = 0;
	int n, idle;

	UART_LCRH = UART_LCRH_8N1_FIFO;
	UART_CTL = UART_CTL_EN;
	SYST_RVR = CYCLES_PER_MS - 1;
	SYST_CVR = 0;
	SYST_CSR = SYST_ENABLE | SYST_TICKINT | SYST_CPUCLK;
	if (fw_app_init(&fw_blob) == 0) {
		eth_init(fw_blob.mac);
		for (;;) {
			idle = 1;
			n = eth_recv();
			if (n > 0)
				fw_app_frame((osm_u32)n);
			else if (n < 0)
				fw_app_oversize();
			if (n)
				idle = 0;
			if (!(UART_FR & UART_FR_RXFE)) {
				fw_app_char((char)UART_DR);
				idle = 0;
			}
			now = ms;
			if (now != last) {
				last = now;
				fw_app_tick(now);
			}
			if (idle)
				__asm__ volatile("wfi");
		}
	}
	for (;;)
		__asm__ volatile("wfi");
}

void __attribute__((noreturn)) fw_reset(void)
{
	osm_u32 *p, *sp;

	for (p = _sdata; p < _edata; p++)
		*p = _sidata[p - _sdata];
	for (p = _sbss; p < _ebss; p++)
		*p = 0;
	/* Paint the free stack below our own frame for the high-water mark. */
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	for (p = _ebss; p < sp - 16; p++)
		*p = STACK_PAINT;
	fw_main();
}

static void fw_fault(void)
{
	fw_puts("fault\n");
	for (;;)
		;
}

/* Cortex-M3 vector table: initial SP, reset, the system exceptions; the
 * only interrupt is SysTick (devices are polled). */
__attribute__((section(".vectors"), used))
void (*const fw_vectors[16])(void) = {
	(void (*)(void))_stack_top, fw_reset, fw_fault, fw_fault, fw_fault,
	fw_fault, fw_fault, 0, 0, 0, 0, fw_fault, fw_fault, 0, fw_fault,
	systick,
};
