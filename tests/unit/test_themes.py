import pytest

from webapp.settings import ROOT
from webapp.themes import ThemeError, contrast, load_theme


def test_contrast_of_black_on_white_is_21():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#fff", "#fff") == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "themes").iterdir() if p.is_dir()))
def test_every_shipped_theme_passes_wcag_aa(name):
    theme = load_theme(ROOT / "themes", name)
    assert theme.logo is not None


def test_low_contrast_theme_is_refused_with_the_colours_named(tmp_path):
    folder = tmp_path / "pale"
    folder.mkdir()
    (folder / "theme.css").write_text(
        ":root { --color-primary: #a0c4ff; --color-on-primary: #ffffff; --color-text: #111111;"
        " --color-background: #ffffff; --color-link: #1e4e8c; }"
    )
    with pytest.raises(ThemeError) as error:
        load_theme(tmp_path, "pale")
    assert "--color-on-primary (#ffffff)" in str(error.value) and "--color-primary (#a0c4ff)" in str(error.value)


def test_missing_colour_is_refused(tmp_path):
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "theme.css").write_text(":root { --color-primary: #000000; }")
    with pytest.raises(ThemeError, match="--color-text"):
        load_theme(tmp_path, "bare")
