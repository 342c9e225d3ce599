#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf-chains SCRIPT.txt KALLSYMS

Read "perf script -F comm,ip,sym,symoff,dso" output with callchains and
print one line of counts: "samples IN_STUB THROUGH_STUB UNNAMED_CALLER
UNKNOWN_AT_STUB". IN_STUB: samples whose IP is named relpoline_stub:...;
THROUGH_STUB: samples with a relpoline_stub:... frame; UNNAMED_CALLER:
those whose frame after the last stub frame is missing or [unknown];
UNKNOWN_AT_STUB: [unknown] frames at an address inside a stub of KALLSYMS
(the stubs' entries there, each at most 256 bytes long).
"""
import bisect
import sys


def stub_starts(path):
    starts = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 4 and w[3] == '[__builtin__relpoline]':
                starts.append(int(w[0], 16))
    return sorted(starts)


def in_stub(starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    return i >= 0 and addr - starts[i] < 256


def samples(path):
    frames = None
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            if not line[0].isspace():
                if frames is not None:
                    yield frames
                frames = []
                continue
            w = line.split()
            frames.append((int(w[0], 16), w[1]))
    if frames is not None:
        yield frames


def main():
    starts = stub_starts(sys.argv[2])
    n = top = through = unnamed = unknown = 0
    for frames in samples(sys.argv[1]):
        n += 1
        if frames and frames[0][1].startswith('relpoline_stub:'):
            top += 1
        last = max((i for i, f in enumerate(frames) if f[1].startswith('relpoline_stub:')),
                   default=None)
        if last is not None:
            through += 1
            if last + 1 >= len(frames) or frames[last + 1][1] == '[unknown]':
                unnamed += 1
        unknown += sum(1 for a, s in frames if s == '[unknown]' and in_stub(starts, a))
    print(n, top, through, unnamed, unknown)
    return 0


if __name__ == '__main__':
    sys.exit(main())
