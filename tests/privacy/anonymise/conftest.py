"""Anonymisation fixtures: the generated people clip and its analysis, made once a session
(the analysis is the slow part: the detectors on every frame)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.privacy.anonymise.analysis import analyse
from sentinelle.privacy.anonymise.models import Analysis
from tests.support.people_clip import PeopleClip, write_people_clip


@pytest.fixture(scope="session")
def people_clip(tmp_path_factory: pytest.TempPathFactory) -> PeopleClip:
    """960×540, 10 fps, 6 s: four walkers, the subject crossing a third party."""
    return write_people_clip(tmp_path_factory.mktemp("people") / "street.mp4")


@pytest.fixture(scope="session")
def people_analysis(people_clip: PeopleClip) -> Analysis:
    return analyse(people_clip.path)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
