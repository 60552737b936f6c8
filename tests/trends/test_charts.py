"""Charts: a readable PNG per series, cached per knowledge-base version, matplotlib optional."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from smassist import paths
from smassist.cli import main
from smassist.kb import loader
from smassist.trends import charts
from tests.conftest import BUNDLED_KB
from tests.support.trend_kb import write_kb

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR is the first chunk)."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def kb(tmp_path: Path):
    return loader.load(write_kb(tmp_path / "kb"))


def test_every_bundled_series_renders_a_png_of_phone_width_in_both_languages() -> None:
    bundled = loader.load(BUNDLED_KB)
    assert bundled.series
    for series_id in bundled.series:
        for lang in ("fr", "en"):
            path = charts.chart(bundled, series_id, lang)
            data = path.read_bytes()
            width, height = png_size(data)
            assert width == 1080 and 900 <= height <= 2200, (series_id, height)
            assert 20_000 <= len(data) <= 1_000_000, (series_id, len(data))


def test_chart_is_cached_under_the_knowledge_base_version(kb) -> None:
    path = charts.chart(kb, "roi-measured", "fr")
    assert path == paths.cache_dir() / "charts" / f"{kb.version}-{charts.CHART_STYLE}" / "roi-measured-fr.png"
    first = path.stat().st_mtime_ns
    assert charts.chart(kb, "roi-measured", "fr").stat().st_mtime_ns == first  # not drawn again
    assert charts.chart(kb, "roi-measured", "en") != path


def test_a_new_knowledge_base_version_gets_its_own_chart(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb")
    before = charts.chart(loader.load(root), "social-selling", "en")
    (root / "topics.yaml").write_text((root / "topics.yaml").read_text() + "\n# edited\n")
    after = charts.chart(loader.load(root), "social-selling", "en")
    assert before != after and before.parent.parent == after.parent.parent


def test_chart_draws_in_a_process_without_a_display_and_without_pyplot(kb, tmp_path: Path) -> None:
    code = (
        "import sys, os; os.environ.pop('DISPLAY', None)\n"
        "from smassist.kb import loader\nfrom smassist.trends import charts\n"
        f"kb = loader.load({str(tmp_path / 'kb')!r})\n"
        "charts.chart(kb, 'social-selling', 'fr')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_without_matplotlib_the_text_trend_works_and_says_how_to_enable_charts(
        kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert not charts.available()
    assert charts.chart_or_none(kb, "roi-measured", "fr") is None
    with pytest.raises(charts.ChartsUnavailable, match=r"pip install 'smassist\[charts\]'"):
        charts.chart(kb, "roi-measured", "en")

    root = str(tmp_path / "kb")
    assert main(["trend", "--kb", root, "roi", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Part des entreprises qui mesurent leur ROI" in out
    assert "pip install 'smassist[charts]'" in out
    # Asking for the file explicitly: the text still comes, and the exit code says no chart.
    assert main(["trend", "--kb", root, "roi", "--chart", str(tmp_path / "roi.png")]) == 1
    assert "pip install 'smassist[charts]'" in capsys.readouterr().out
    assert not (tmp_path / "roi.png").exists()


def test_cli_writes_the_chart_where_asked(kb, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "selling.png"
    target.parent.mkdir()
    assert main(["trend", "--kb", str(tmp_path / "kb"), "social-selling", "--chart", str(target)]) == 0
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert f"chart: {target}" in capsys.readouterr().err


def test_importing_the_cli_does_not_import_matplotlib() -> None:
    code = "import sys, smassist.cli; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_country_keeps_its_colour_on_every_chart() -> None:
    assert charts.SCOPE_COLOURS["france"] != charts.SCOPE_COLOURS["usa"]
    assert len(set(charts.SCOPE_COLOURS.values())) == len(charts.SCOPE_COLOURS)


def test_slide_size_is_landscape(kb) -> None:
    width, height = png_size(charts.chart(kb, "roi-measured", "en", size="slide").read_bytes())
    assert width == 1920 and height >= 1080 and width > height


def test_cli_writes_only_the_file_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "charter.png"
    assert main(["trend", "charter", "--chart", str(target), "--chart-size", "slide"]) == 0
    assert [p.name for p in out.iterdir()] == ["charter.png"]
    assert png_size(target.read_bytes())[0] == 1920
    assert "other series: smassist trend charter-france-usa-2015" in capsys.readouterr().err
