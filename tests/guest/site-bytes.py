#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""site-bytes VMLINUX [MODULE.ko ...]

Print the live bytes of every retpoline site of vmlinux and of the given
loaded modules, read from /proc/kcore: one line per site, "NAME+OFFSET BYTES",
with the 6 bytes at the site (the longest site). The sites come from the
objects' .retpoline_sites sections (objtool's list), not from relpoline, so
the dump means the same with relpoline=off: two boots of one kernel compare
byte for byte. A site that is a rel32 CALL/JMP/Jcc (a call of a thunk) is
printed as its opcode bytes and its destination relative to vmlinux's
_text ("e8 -> _text+0x...") instead of the rel32: a module's text need not
be at the same address in two boots (other execmem users come and go), and
the same branch to the same thunk is the same site. Needs root (kallsyms
addresses, /proc/kcore and module sections).
"""
import os
import struct
import sys

SITE_BYTES = 6


class Elf:
    """The little of ELF64 that this needs: sections, symbols, relocations."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            self.data = f.read()
        if self.data[:4] != b'\x7fELF' or self.data[4] != 2:
            raise SystemExit(f'{path}: not an ELF64 file')
        (self.shoff,) = struct.unpack_from('<Q', self.data, 0x28)
        self.shentsize, self.shnum, shstrndx = struct.unpack_from('<HHH', self.data, 0x3a)
        self.sections = [self._shdr(i) for i in range(self.shnum)]
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s['name'] = self._str(strtab['offset'], s['name_off'])

    def _shdr(self, i):
        f = struct.unpack_from('<IIQQQQIIQQ', self.data, self.shoff + i * self.shentsize)
        return {'name_off': f[0], 'type': f[1], 'addr': f[3], 'offset': f[4],
                'size': f[5], 'link': f[6], 'info': f[7], 'entsize': f[9]}

    def _str(self, base, off):
        end = self.data.index(b'\0', base + off)
        return self.data[base + off:end].decode()

    def section(self, name):
        for i, s in enumerate(self.sections):
            if s['name'] == name:
                return i, s
        return None, None

    def symbols(self):
        _, symtab = self.section('.symtab')
        if symtab is None:
            return []
        strtab = self.sections[symtab['link']]
        out = []
        for off in range(symtab['offset'], symtab['offset'] + symtab['size'], 24):
            name, info, other, shndx, value, size = struct.unpack_from('<IBBHQQ', self.data, off)
            out.append((self._str(strtab['offset'], name), shndx, value))
        return out


def vmlinux_sites(path):
    """(name, link address) of every site of vmlinux, but those in
    .init.text: that is freed after boot (clang's kernel has sites there)."""
    elf = Elf(path)
    _, sec = elf.section('.retpoline_sites')
    if sec is None:
        raise SystemExit(f'{path}: no .retpoline_sites')
    _, init = elf.section('.init.text')
    text = [v for n, _, v in elf.symbols() if n == '_text']
    out = []
    for i in range(0, sec['size'], 4):
        (rel,) = struct.unpack_from('<i', elf.data, sec['offset'] + i)
        addr = sec['addr'] + i + rel
        if init and init['addr'] <= addr < init['addr'] + init['size']:
            continue
        out.append(addr)
    return text[0], sorted(out)


def module_sites(path):
    """(text section name, offset) of every site of a module object."""
    elf = Elf(path)
    idx, _ = elf.section('.retpoline_sites')
    if idx is None:
        return []
    syms = elf.symbols()
    out = []
    for s in elf.sections:
        if s['type'] != 4 or s['info'] != idx:	# SHT_RELA for .retpoline_sites
            continue
        for off in range(s['offset'], s['offset'] + s['size'], 24):
            _, info, addend = struct.unpack_from('<QQq', elf.data, off)
            _, shndx, value = syms[info >> 32]
            out.append((elf.sections[shndx]['name'], value + addend))
    return sorted(out)


class Kcore:
    """Reads kernel virtual memory through /proc/kcore's PT_LOAD segments."""

    def __init__(self):
        self.f = open('/proc/kcore', 'rb')
        hdr = self.f.read(64)
        (phoff,) = struct.unpack_from('<Q', hdr, 0x20)
        phentsize, phnum = struct.unpack_from('<HH', hdr, 0x36)
        self.f.seek(phoff)
        ph = self.f.read(phentsize * phnum)
        self.loads = []
        for i in range(phnum):
            typ, _, off, vaddr, _, filesz, _, _ = struct.unpack_from('<IIQQQQQQ', ph, i * phentsize)
            if typ == 1:
                self.loads.append((vaddr, filesz, off))

    def read(self, addr, n):
        for vaddr, size, off in self.loads:
            if vaddr <= addr and addr + n <= vaddr + size:
                self.f.seek(off + addr - vaddr)
                return self.f.read(n)
        raise SystemExit(f'/proc/kcore: {addr:#x} is not mapped')


def show(addr, b, text):
    """The site's bytes, or for a rel32 branch its opcode and destination."""
    op = 2 if b[0] == 0x2e or (b[0] == 0x0f and b[1] & 0xf0 == 0x80) else 1
    if b[op - 1] in (0xe8, 0xe9) or op == 2 and b[0] == 0x0f:
        (rel,) = struct.unpack_from('<i', b, op)
        dest = addr + op + 4 + rel
        return f'{b[:op].hex()} -> _text{dest - text:+#x}'
    return b.hex()


def kallsyms_text():
    with open('/proc/kallsyms') as f:
        for line in f:
            addr, _, name = line.split()[:3]
            if name == '_text':
                return int(addr, 16)
    raise SystemExit('/proc/kallsyms: no _text')


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    kcore = Kcore()
    link_text, sites = vmlinux_sites(sys.argv[1])
    run_text = kallsyms_text()
    if not run_text:
        raise SystemExit('/proc/kallsyms hides addresses (run as root, kptr_restrict < 2)')
    delta = run_text - link_text
    for addr in sites:
        b = kcore.read(addr + delta, SITE_BYTES)
        print(f'vmlinux+{addr - link_text:#x} {show(addr + delta, b, run_text)}')
    for ko in sys.argv[2:]:
        name = os.path.basename(ko)[:-3].replace('-', '_')
        for sec, off in module_sites(ko):
            with open(f'/sys/module/{name}/sections/{sec}') as f:
                base = int(f.read(), 16)
            b = kcore.read(base + off, SITE_BYTES)
            print(f'{name}:{sec}+{off:#x} {show(base + off, b, run_text)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
