"""What the segment writer needs to know of an H.264/H.265 bitstream without decoding it: the
parameter sets a keyframe carries in-band (Annex B), to notice a mid-stream change of codec
parameters (resolution, profile) and start a segment that describes the new stream."""

from __future__ import annotations

import av
import av.error
import av.video.codeccontext

START_CODE = b"\x00\x00\x01"
_LONG_START_CODE = b"\x00\x00\x00\x01"
# NAL unit types: parameter sets, and the first picture slice that ends the search.
_H264_PARAMS, _H264_SLICES = {7, 8}, set(range(1, 6))
_HEVC_PARAMS, _HEVC_SLICES = {32, 33, 34}, set(range(32))
HEAD_BYTES = 4096  # how much of a keyframe to look at: parameter sets come first


def is_annex_b(extradata: bytes | None) -> bool:
    """Whether packets carry start codes (RTSP, MPEG-TS) rather than length prefixes (MP4:
    extradata is then an avcC/hvcC record, which starts with version byte 1)."""
    return not extradata or extradata.startswith((START_CODE, _LONG_START_CODE))


def parameter_sets(data: bytes, codec: str, *, whole: bool = False) -> bytes:
    """The parameter-set NAL units at the head of Annex B data (an access unit, or `whole`
    extradata), each with a 4-byte start code; b"" when it carries none, or the codec is not
    H.264/H.265. Unless `whole`, only units followed by another start code count, so a
    truncated head (`HEAD_BYTES`) is safe."""
    if codec == "h264":
        wanted, slices, shift, mask = _H264_PARAMS, _H264_SLICES, 0, 0x1F
    elif codec == "hevc":
        wanted, slices, shift, mask = _HEVC_PARAMS, _HEVC_SLICES, 1, 0x3F
    else:
        return b""
    found: list[bytes] = []
    start = _next_unit(data, 0)
    while 0 <= start < len(data):
        kind = (data[start] >> shift) & mask
        if kind in slices:
            break
        following = _next_unit(data, start)
        end = following - len(START_CODE) if following >= 0 else len(data) if whole else -1
        if end < 0:
            break
        unit = _LONG_START_CODE + data[start:end].rstrip(b"\x00")
        if kind in wanted and unit not in found:  # a repeated set is the same set
            found.append(unit)
        start = following
    return b"".join(found)


def _next_unit(data: bytes, after: int) -> int:
    """Offset of the first byte of the next NAL unit (just after its start code), or -1."""
    at = data.find(START_CODE, after)
    return at + len(START_CODE) if at >= 0 else -1


def picture_size(codec: str, keyframe: bytes) -> tuple[int, int] | None:
    """Width and height of a keyframe, decoded on its own (once per parameter change)."""
    decoder = av.CodecContext.create(codec, "r")
    if not isinstance(decoder, av.video.codeccontext.VideoCodecContext):
        return None
    try:
        frames = decoder.decode(av.Packet(keyframe)) + decoder.decode(None)
    except av.error.FFmpegError:
        return None
    return (frames[0].width, frames[0].height) if frames else None
