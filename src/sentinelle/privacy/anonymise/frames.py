"""One source frame as a JPEG for the review screen, by its index in presentation order (the
numbering of `analyse`).

The index is turned into a timestamp by reading the file's packets without decoding them
(their timestamps sorted are the frames' presentation order), then the file is sought to the
keyframe before it and decoded forward to that frame. The sorted timestamps of the last few
files are kept in memory (by path, size and modification time): the review screen asks for
many frames of one file, which is never rewritten (an export's video).
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from sentinelle.core.errors import InvalidInput
from sentinelle.privacy.anonymise import errors, source

JPEG_QUALITY = 88


def frame_jpeg(path: Path, index: int, max_width: int = 960) -> bytes:
    """Frame `index` of the file as JPEG, scaled down to at most `max_width` pixels wide."""
    if max_width < 16:
        raise InvalidInput("redaction_width_invalid", "the width must be at least 16 pixels")
    stamps = _stamps(path)
    with source.open_video(path) as (container, stream):
        if not 0 <= index < len(stamps):
            raise errors.frame_out_of_range(index, len(stamps))
        target = stamps[index]
        container.seek(target, stream=stream, backward=True, any_frame=False)
        for frame in source.decoded(path, container, stream):
            if frame.pts is not None and frame.pts >= target:
                picture = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
                break
        else:
            raise errors.source_unreadable(path, f"frame {index} does not decode")
    height, width = picture.shape[:2]
    if width > max_width:
        size = (max_width, max(1, round(height * max_width / width)))
        picture = np.asarray(cv2.resize(picture, size, interpolation=cv2.INTER_AREA), np.uint8)
    ok, jpeg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise errors.source_unreadable(path, "the frame cannot be encoded as JPEG")
    return bytes(jpeg.tobytes())


def _stamps(path: Path) -> tuple[int, ...]:
    """The presentation timestamps of the file's frames, in order (cached, see above)."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None:
        return _read_stamps(path)
    return _cached_stamps(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _cached_stamps(path: str, _size: int, _mtime_ns: int) -> tuple[int, ...]:
    return _read_stamps(Path(path))


def _read_stamps(path: Path) -> tuple[int, ...]:
    with source.open_video(path) as (container, stream):
        return tuple(sorted(p.pts for p in container.demux(stream) if p.pts is not None))
