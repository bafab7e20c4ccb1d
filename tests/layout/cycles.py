#!/usr/bin/env python3
# No circle of files inside a part: for each part (a folder of C files),
# the graph "file A calls a function that file B defines" (from the
# objects' symbol tables, so comments and names in strings do not count)
# must have no cycle. TAP, one line a part; a cycle is printed in full.
import os, subprocess, sys

B = os.environ.get("B", "build")
# The firmware is not in the list: its platform interface (firmware/fw.h)
# is two-way by design, as on any bare-metal device: hw.c owns main() and
# the interrupts and calls the application's entry points (fw_app_*),
# which send and log through the platform (fw_eth_send, fw_putc).
PARTS = ["lib", "bpf", "store", "ctrl", "ctrl/engine", "ctrl/daemon",
         "tools/pktgen", "tools/bench"]


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBR":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
    return defined, undefined


def cycle(graph):
    """One cycle of graph (dict node -> set of nodes) as a list, or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def main():
    n = failed = 0
    for part in PARTS:
        d = os.path.join(B, part)
        # objects of the part's sources only (not stale ones of removed
        # files, not BPF programs)
        objs = sorted(os.path.join(d, f[:-2] + ".o")
                      for f in os.listdir(part)
                      if f.endswith(".c") and not f.endswith(".bpf.c")
                      and os.path.exists(os.path.join(d, f[:-2] + ".o")))
        n += 1
        if not objs:
            print(f"not ok {n} - {part}: no objects in {d} (build first)")
            failed += 1
            continue
        syms = {o: symbols(o) for o in objs}
        owner = {s: o for o, (dd, _) in syms.items() for s in dd}
        graph = {o: {owner[s] for s in u if s in owner and owner[s] != o}
                 for o, (_, u) in syms.items()}
        c = cycle(graph)
        if c:
            names = " -> ".join(os.path.basename(o)[:-2] + ".c" for o in c)
            print(f"not ok {n} - {part}: files call each other: {names}")
            failed += 1
        else:
            print(f"ok {n} - {part}: {len(objs)} files, no circle")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
