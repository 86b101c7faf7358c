from __future__ import annotations

from sentinelle.registry.models import FieldOfView
from sentinelle.storage.conformity import assess


def test_narrow_fast_flow_cameras_need_d1_and_12_fps() -> None:
    ok = assess(704, 576, 12.0, FieldOfView.NARROW, fast_flows=True)
    assert (ok.ok, ok.problems) == (True, ())
    bad = assess(640, 480, 8.0, FieldOfView.NARROW, fast_flows=True)
    assert bad.problems == ("resolution 640×480 below 704×576", "frame rate 8.0 fps below 12 fps")
    assert assess(352, 288, 6.0, FieldOfView.WIDE, fast_flows=True).ok
    assert not assess(320, 240, 25.0, FieldOfView.WIDE, fast_flows=False).ok
