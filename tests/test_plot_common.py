"""Plot fonts and helpers: a CJK font gives Chinese labels, none gives English; palette, day labels, panels."""

from __future__ import annotations

import re
import warnings

import matplotlib
import plot_fixtures as fx
import pytest
from matplotlib.figure import Figure

from constraints.roster import ACTIVITIES
from scheduler.report import plot_common, plots

pytestmark = [
    pytest.mark.usefixtures("restore_rc"),
    pytest.mark.filterwarnings("ignore:未找到中文字体"),  # expected where no font is pretended
]


def test_no_cjk_font_means_english_labels_and_no_missing_glyphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a CJK font every label is English even when Chinese is asked for, and nothing draws as tofu."""
    fx.pretend_no_cjk_font(monkeypatch)
    assert plots.setup_cjk_font() is None
    assert plot_common.resolve_lang("zh") == "en"
    for fig in fx.all_figures("zh"):
        assert [t for t in fx.texts(fig) if fx.CJK.search(t)] == []
        assert fx.render(fig) == []


def test_no_cjk_font_shows_ids_for_chinese_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """People written in Chinese appear by staff id, scenarios by number and what of their name is not
    Chinese, when no CJK font can draw them."""
    fx.pretend_no_cjk_font(monkeypatch)
    gantt = fx.texts(plots.roster_gantt(fx.roster(), fx.staff(), day=fx.MON, lang="zh"))
    assert {"T1", "P1", "W1"} <= set(gantt)
    compare = plots.compare_plot(fx.comparison(), lang="zh")
    assert [t.get_text() for t in compare.axes[0].get_yticklabels()][:2] == ["#1", "#2 +20%"]
    assert plot_common.safe_text("Baseline", "#1") == "Baseline"


def test_readable_names_keep_the_english_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a CJK font a name shows its last bracket without Chinese, else its non-Chinese words, else
    its number; with the font it is left as it is."""
    fx.require_cjk_font()
    assert plot_common.readable_name("客流 ×1.2 (demand ×1.2)", 4) == "客流 ×1.2 (demand ×1.2)"
    fx.pretend_no_cjk_font(monkeypatch)
    assert plot_common.readable_name("客流 ×1.2 (demand ×1.2)", 4) == "#4 demand ×1.2"
    assert plot_common.readable_name("少 赵敏、黄丽 (without S07, S08)", 2) == "#2 without S07, S08"
    assert plot_common.readable_name("午间 (两人) window=09:00-17:00", 3) == "#3 window=09:00-17:00"
    assert plot_common.readable_name("基准", 1) == "#1"
    assert plot_common.readable_name("Baseline", 1) == "Baseline"


def test_missing_font_is_warned_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing several plots without a CJK font gives one warning naming the way out, not one per label."""
    fx.pretend_no_cjk_font(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.compare_plot(fx.comparison(), lang="zh")
        plots.curve_plot(fx.curve(), lang="zh")
    fonts = [w for w in caught if "PAIBAN_CJK_FONT" in str(w.message)]
    assert len(fonts) == 1 and "fonts-noto-cjk" in str(fonts[0].message)


def test_cjk_font_gives_chinese_titles_without_missing_glyphs() -> None:
    """With a CJK font installed, titles are Chinese, the font heads sans-serif, and every glyph is drawn."""
    name = fx.require_cjk_font()
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    for fig in fx.all_figures("zh"):
        assert fx.CJK.search(fig.get_suptitle())
        assert fx.render(fig) == []


def test_english_requested_with_font_keeps_english_labels() -> None:
    """lang='en' gives English titles even when a CJK font is present."""
    fx.require_cjk_font()
    fig = plots.windows_plot(fx.requirements(), lang="en")
    assert fig.get_suptitle() == "Open vs required windows"


def test_font_named_by_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """PAIBAN_CJK_FONT pointing at a CJK font file makes that font the one configured."""
    name = fx.require_cjk_font()
    path = matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties(family=name))
    monkeypatch.setenv("PAIBAN_CJK_FONT", path)
    plot_common._find_cjk_font.cache_clear()
    try:
        faces = {f.name for f in matplotlib.font_manager.fontManager.ttflist if f.fname == path}
        configured = plots.setup_cjk_font()
        assert configured in faces
        assert matplotlib.rcParams["font.sans-serif"][0] == configured
    finally:
        plot_common._find_cjk_font.cache_clear()


def test_unknown_language_is_rejected() -> None:
    """A language other than zh/en is an error, not a silent default."""
    with pytest.raises(ValueError, match="lang"):
        plots.forecast_heatmap(fx.forecast(), lang="fr")


def test_day_label_is_month_day_and_weekday() -> None:
    """Day labels read like 11-30 周一 / 11-30 Mon."""
    assert plots.day_label(fx.MON, "zh") == "11-30 周一"
    assert plots.day_label(fx.MON, "en") == "11-30 Mon"


def test_activity_colors_cover_every_activity_with_distinct_hex() -> None:
    """Each roster activity has its own #RRGGBB colour."""
    assert set(plots.ACTIVITY_COLORS) == set(ACTIVITIES)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in plots.ACTIVITY_COLORS.values())
    assert len(set(plots.ACTIVITY_COLORS.values())) == len(ACTIVITIES)


def test_plots_draw_into_given_axes() -> None:
    """Given Axes are drawn on and their figure returned; a wrong number of Axes is refused."""
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert plots.forecast_heatmap(fx.forecast(), ax=ax1, lang="en") is fig
    assert ax1.images
    assert plots.windows_plot(fx.requirements(), "high_counter", ax=ax2, lang="en") is fig
    with pytest.raises(ValueError, match="2 panel"):
        plots.windows_plot(fx.requirements(), ax=ax1, lang="en")


def test_new_figures_show_themselves_as_png_in_notebooks() -> None:
    """A figure the plots create renders to PNG through _repr_png_, so Jupyter shows it without pyplot."""
    fig = plots.compare_plot(fx.comparison(), lang="en")
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
