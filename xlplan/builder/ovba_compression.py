"""MS-OVBA 2.4.1 CompressedContainer codec (VBA module streams and the dir stream).

``compress`` follows the spec's algorithm (2.4.1.3.6-2.4.1.3.10, 2.4.1.3.19):
longest match within the current 4096-byte chunk, nearest candidate on ties,
raw chunk when the encoding would not fit. A hash chain over 3-byte prefixes
replaces the spec's exhaustive backwards scan; with the chain limit not hit it
picks the same match, so the spec's examples (3.2) come out byte-identical.
"""

from __future__ import annotations

import struct

CHUNK = 4096  # decompressed bytes per chunk (2.4.1.1.3)
_MAX_CHAIN = 256  # candidates tried per position; any match found is valid
_MIN_MATCH = 3  # a CopyToken costs 2 bytes, so shorter matches never pay (2.4.1)


def _bit_count(difference: int) -> int:
    """CopyToken Help (2.4.1.3.19.1): offset bits for a position in the chunk."""
    return max((difference - 1).bit_length(), 4)


def _match_length(buf: bytes, cand: int, cur: int, end: int, n: int) -> int:
    """Length of the common run at cand and cur, known to be >= n, stopping at end.

    The run may overlap cur (offset < length); the decoder copies byte by byte (2.4.1.3.19.2).
    """
    limit, step = end - cur, 8
    while n < limit:
        s = min(step, limit - n)
        if buf[cand + n : cand + n + s] == buf[cur + n : cur + n + s]:
            n += s
            step *= 2
        elif s == 1:
            break
        else:
            step = s // 2
    return n


def _compress_chunk(buf: bytes, start: int, end: int) -> bytes:
    """Compressing a DecompressedChunk (2.4.1.3.7); end - start <= 4096."""
    out = bytearray()
    budget = CHUNK  # CompressedEnd is chunk start + 4098, i.e. 4096 data bytes
    heads: dict[bytes, list[int]] = {}  # 3-byte prefix -> positions, oldest first
    indexed = start  # positions below this are in `heads`

    cur = start
    overflow = False
    while cur < end and not overflow:  # Compressing a TokenSequence (2.4.1.3.8)
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if cur >= end:
                break
            # Matching (2.4.1.3.19.4): candidates are earlier positions in this chunk.
            while indexed < cur:
                heads.setdefault(buf[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            best_len, best_pos = 0, 0
            if cur + _MIN_MATCH <= end:
                chain = heads.get(buf[cur : cur + 3], ())
                for cand in reversed(chain[-_MAX_CHAIN:]):
                    # Every entry shares the 3-byte prefix; it must also beat best_len.
                    need = best_len + 1
                    if best_len and buf[cand : cand + need] != buf[cur : cur + need]:
                        continue
                    length = _match_length(buf, cand, cur, end, max(need, _MIN_MATCH))
                    if length > best_len:
                        best_len, best_pos = length, cand
                        if cur + length == end:
                            break  # nothing can be longer
            # Compressing a Token (2.4.1.3.9): stop once the token would not fit.
            if len(out) + (2 if best_len >= _MIN_MATCH else 1) > budget:
                overflow = True
                break
            if best_len >= _MIN_MATCH:
                bits = _bit_count(cur - start)
                length = min(best_len, (0xFFFF >> bits) + 3)
                token = ((cur - best_pos - 1) << (16 - bits)) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                cur += length
            else:
                out.append(buf[cur])
                cur += 1
        out[flag_index] = flags

    if overflow:
        # Compressing a RawChunk (2.4.1.3.10): 4096 bytes, zero-padded, size field 0xFFF.
        raw = buf[start:end].ljust(CHUNK, b"\0")
        return struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + raw
    # CompressedChunkHeader (2.4.1.1.5): size-3 in 12 bits, signature 0b011, flag bit 15.
    return struct.pack("<H", 0x8000 | 0x3000 | (len(out) + 2 - 3)) + bytes(out)


def compress(data: bytes) -> bytes:
    """Compressing a DecompressedBuffer (2.4.1.3.6) into a CompressedContainer."""
    data = bytes(data)
    parts = [b"\x01"]  # SignatureByte (2.4.1.1.1)
    for start in range(0, len(data), CHUNK):
        parts.append(_compress_chunk(data, start, min(start + CHUNK, len(data))))
    return b"".join(parts)


def decompress(data: bytes) -> bytes:
    """Decompressing a CompressedContainer (2.4.1.3.1). Raises ValueError if malformed.

    A raw chunk always yields 4096 bytes (2.4.1.3.3), so an incompressible final
    chunk comes back zero-padded, exactly as the spec writes it.
    """
    if not data or data[0] != 0x01:
        raise ValueError("CompressedContainer must start with signature byte 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError(f"truncated chunk header at {pos}")
        (header,) = struct.unpack_from("<H", data, pos)
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at {pos}")
        chunk_end = pos + (header & 0x0FFF) + 3
        if chunk_end > len(data):
            raise ValueError(f"chunk at {pos} runs past the end of the container")
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:  # Decompressing a RawChunk (2.4.1.3.3)
            if chunk_end - pos != CHUNK:
                raise ValueError(f"raw chunk at {pos - 2} is not 4096 bytes")
            out += data[pos:chunk_end]
            pos = chunk_end
            continue
        while pos < chunk_end:  # Decompressing a TokenSequence (2.4.1.3.4)
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError(f"truncated CopyToken at {pos}")
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                bits = _bit_count(len(out) - chunk_start)  # Unpacking a CopyToken (2.4.1.3.19.2)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                src = len(out) - offset
                if src < chunk_start:
                    raise ValueError(f"CopyToken at {pos - 2} reaches before its chunk")
                if offset >= length:
                    out += out[src : src + length]
                else:  # overlapping copy repeats the last `offset` bytes
                    for i in range(length):
                        out.append(out[src + i])
        if len(out) - chunk_start > CHUNK:
            raise ValueError("chunk decompresses to more than 4096 bytes")
    return bytes(out)
