"""Small SoundFonts made on the spot: one preset, one short sample (no loop), for tests that
need a second and a third SoundFont beside the General MIDI one."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def _chunk(tag: bytes, data: bytes) -> bytes:
    pad = b"\0" if len(data) % 2 else b""
    return tag + struct.pack("<I", len(data)) + data + pad


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def _name(text: str) -> bytes:
    return text.encode("latin-1")[:19].ljust(20, b"\0")


def write_sf2(path: Path, preset_name: str = "Beep", *, bank: int = 0, program: int = 0,
              freq: float = 880.0, seconds: float = 0.05, rate: int = 48_000,
              wave: str = "sine") -> Path:
    """A SoundFont with one preset whose sample is a burst of ``wave`` that dies away."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    carrier = np.sin(2 * np.pi * freq * t) if wave == "sine" else \
        np.sign(np.sin(2 * np.pi * freq * t))
    samples = (carrier * np.linspace(1.0, 0.0, n) * 20000).astype("<i2").tobytes()
    smpl = samples + b"\0" * 92  # 46 zero samples after each sample, as the format asks
    info = _list(b"INFO", _chunk(b"ifil", struct.pack("<HH", 2, 1)),
                 _chunk(b"isng", b"EMU8000\0"), _chunk(b"INAM", b"Cuesketch test\0\0"))
    sdta = _list(b"sdta", _chunk(b"smpl", smpl))
    phdr = (_name(preset_name) + struct.pack("<HHHIII", program, bank, 0, 0, 0, 0)
            + _name("EOP") + struct.pack("<HHHIII", 0, 0, 1, 0, 0, 0))
    pbag = struct.pack("<HH", 0, 0) + struct.pack("<HH", 1, 0)
    pmod = b"\0" * 10
    pgen = struct.pack("<HH", 41, 0) + struct.pack("<HH", 0, 0)  # instrument 0
    inst = _name("Beep") + struct.pack("<H", 0) + _name("EOI") + struct.pack("<H", 1)
    ibag = struct.pack("<HH", 0, 0) + struct.pack("<HH", 2, 0)
    imod = b"\0" * 10
    igen = (struct.pack("<Hh", 54, 0) + struct.pack("<HH", 53, 0)  # no loop; sample 0
            + struct.pack("<HH", 0, 0))
    shdr = (_name("beep") + struct.pack("<IIIII", 0, n, 0, n, rate) + struct.pack("<BbHH", 69, 0, 0, 1)
            + _name("EOS") + struct.pack("<IIIII", 0, 0, 0, 0, 0) + struct.pack("<BbHH", 0, 0, 0, 0))
    pdta = _list(b"pdta", _chunk(b"phdr", phdr), _chunk(b"pbag", pbag), _chunk(b"pmod", pmod),
                 _chunk(b"pgen", pgen), _chunk(b"inst", inst), _chunk(b"ibag", ibag),
                 _chunk(b"imod", imod), _chunk(b"igen", igen), _chunk(b"shdr", shdr))
    body = b"sfbk" + info + sdta + pdta
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path
