#!/usr/bin/env python3
# patch_h264_sps.py IN.h264 OUT.h264 WIDTH HEIGHT: rewrites the SPS of an Annex-B H.264 stream (Baseline or
# Main profile, as x264 writes it) to claim a WIDTHxHEIGHT picture; the slices stay those of the tiny original.
# For the extreme-media corpus (make_extreme_media.sh): a 1 kB file whose header states an absurd size.
import sys

def unescape(b):
    out, zeros = bytearray(), 0
    for x in b:
        if zeros >= 2 and x == 3:
            zeros = 0
            continue
        out.append(x)
        zeros = zeros + 1 if x == 0 else 0
    return bytes(out)

def escape(b):
    out, zeros = bytearray(), 0
    for x in b:
        if zeros >= 2 and x <= 3:
            out.append(3)
            zeros = 0
        out.append(x)
        zeros = zeros + 1 if x == 0 else 0
    return bytes(out)

class Bits:
    def __init__(self, data):
        self.bits = ''.join(f'{x:08b}' for x in data)
        self.pos = 0
    def u(self, n):
        v = int(self.bits[self.pos:self.pos + n], 2) if n else 0
        self.pos += n
        return v
    def ue(self):
        zeros = 0
        while self.bits[self.pos] == '0':
            zeros += 1
            self.pos += 1
        self.pos += 1
        return (1 << zeros) - 1 + self.u(zeros)

def ue_bits(v):
    b = bin(v + 1)[2:]
    return '0' * (len(b) - 1) + b

def patch_sps(rbsp, mbs_w, mbs_h):
    r = Bits(rbsp)
    profile = r.u(8)
    assert profile in (66, 77), profile  # no chroma_format / scaling lists in these profiles
    r.u(16)
    r.ue(); r.ue()
    poc = r.ue()
    if poc == 0:
        r.ue()
    assert poc != 1
    r.ue(); r.u(1)
    head = r.bits[:r.pos]
    r.ue(); r.ue()
    bits = head + ue_bits(mbs_w - 1) + ue_bits(mbs_h - 1) + r.bits[r.pos:]
    bits = bits.rstrip('0')  # old trailing bits end with the stop bit; keep it, re-pad
    bits += '0' * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))

data = open(sys.argv[1], 'rb').read()
w, h = int(sys.argv[3]) // 16, int(sys.argv[4]) // 16
parts = data.split(b'\x00\x00\x01')
out = bytearray()
for i, p in enumerate(parts):
    if i == 0:
        out += p
        continue
    if p and (p[0] & 0x1F) == 7:
        trailing_zero = p.endswith(b'\x00')
        body = p.rstrip(b'\x00') if trailing_zero else p
        p = bytes([p[0]]) + escape(patch_sps(unescape(body[1:]), w, h)) + (b'\x00' if trailing_zero else b'')
    out += b'\x00\x00\x01' + p
open(sys.argv[2], 'wb').write(out)
