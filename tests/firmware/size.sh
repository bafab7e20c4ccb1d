#!/usr/bin/env bash
# The firmware size budget (docs/firmware.md): per role image, flash
# (text + data, the provisioning section included) <= 8 KiB and RAM
# (data + bss + the stack high-water mark measured by painting, in QEMU,
# by tests/firmware/qemu-e2e.sh) <= 2 KiB. `make firmware-size` runs it.
. "$(dirname "$0")/../lib.sh"
set -u
B=${B:-build}
FLASH_MAX=8192
RAM_MAX=2048

for role in door lamp; do
	elf=$B/firmware/$role.elf
	st=$B/firmware/$role.stack
	if [ ! -s "$st" ] || [ "$st" -ot "$elf" ]; then
		echo "# measuring the stack: tests/firmware/qemu-e2e.sh"
		"$(dirname "$0")/qemu-e2e.sh" >"$B/firmware/measure.log" 2>&1
	fi
done

printf '# %-5s %6s %6s %6s %6s %6s\n' role flash data bss stack ram
for role in door lamp; do
	elf=$B/firmware/$role.elf
	read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -1)
	stack=$(cat "$B/firmware/$role.stack" 2>/dev/null)
	stack=${stack:-0}
	flash=$((text + data))
	ram=$((data + bss + stack))
	printf '# %-5s %6d %6d %6d %6d %6d\n' "$role" "$flash" "$data" "$bss" \
		"$stack" "$ram"
	echo "FW_SIZE role=$role flash=$flash ram=$ram static=$((data + bss)) stack=$stack"
	tap_ok "$role: flash $flash <= $FLASH_MAX bytes" [ "$flash" -le $FLASH_MAX ]
	tap_ok "$role: stack high-water measured ($stack bytes)" [ "$stack" -gt 0 ]
	tap_ok "$role: RAM $ram (static + stack) <= $RAM_MAX bytes" \
		[ "$ram" -le $RAM_MAX ]
done
tap_done
