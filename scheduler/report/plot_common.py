"""What the plots share: a CJK font (or English labels), the activity palette, panels, days and slots.

:func:`setup_cjk_font` looks for a CJK font (``.ttc`` collections included, e.g. Debian's fonts-noto-cjk);
:func:`resolve_lang` turns a wanted language into the one a plot can draw, so a machine without such a font gets
English labels instead of boxes (tofu), with one warning; :func:`safe_text` and :func:`readable_name` do the same
for names written in Chinese (people by id, scenarios by number and their English part).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from constraints.config import COUNTER_TYPES, parse_hhmm
from constraints.i18n import ACTIVITY_LABELS, label, language, weekday_label

ACTIVITY_COLORS: dict[str, str] = {
    "high_counter": "#D55E00",  # vermillion: cash counter
    "low_counter": "#0072B2",  # blue: non-cash counter
    "corporate_counter": "#009E73",  # green: corporate counter
    "lobby": "#CC79A7",  # reddish purple: lobby manager on the floor
    "back_office": "#9E9E9E",  # grey: away from customers
    "outreach": "#26A69A",  # teal: 营销外拓, the sales posts away from the floor
    "talk": "#8E5B9F",  # plum: 季度谈话, the employee and the 支行长 off the floor
    "meeting": "#E6C619",  # yellow: morning meeting
    "break": "#DCDCDC",  # light grey: lunch
}
"""One fixed colour per roster activity (hex ``#RRGGBB``; colour-blind-safe Okabe–Ito hues for the floor)."""


CJK_FONT_NAMES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
)
"""CJK fonts looked for, best first (sans-serif Simplified Chinese before the others)."""

_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
_FONT_FILE_HINT = re.compile(
    r"cjk|sourcehan|wqy|wenquanyi|simhei|msyh|pingfang|hiragino|heiti|droidsansfallback", re.I
)
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _has_cjk_glyphs(name: str) -> bool:
    try:
        path = font_manager.fontManager.findfont(
            font_manager.FontProperties(family=name), fallback_to_default=False
        )
        return bool(font_manager.get_font(path).get_char_index(ord("周")))
    except Exception:  # a broken or unreadable font file is simply not a candidate
        return False


def _installed_cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONT_NAMES if n in names and _has_cjk_glyphs(n)), None)


def _font_from_file(path: Path) -> str | None:
    """Register a font file and return its best face with CJK glyphs (a .ttc holds several)."""
    try:
        font_manager.fontManager.addfont(path)
    except Exception:  # unreadable or not a font
        return None
    target = path.resolve()
    faces = [f.name for f in font_manager.fontManager.ttflist if Path(f.fname).resolve() == target]
    faces.sort(key=lambda n: CJK_FONT_NAMES.index(n) if n in CJK_FONT_NAMES else len(CJK_FONT_NAMES))
    return next((n for n in faces if _has_cjk_glyphs(n)), None)


@functools.cache
def _find_cjk_font() -> str | None:
    """Name of an installed CJK font, registering font files matplotlib's cache has not seen yet."""
    extra = os.environ.get("PAIBAN_CJK_FONT")
    if extra and Path(extra).is_file():
        named = _font_from_file(Path(extra))
        if named:
            return named
    found = _installed_cjk_font()
    if found:
        return found
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and _FONT_FILE_HINT.search(path.name):
                try:
                    font_manager.fontManager.addfont(path)
                except Exception:  # unreadable file: skip it
                    continue
    return _installed_cjk_font()


def setup_cjk_font() -> str | None:
    """Configure matplotlib for Chinese text and return the CJK font's name, or None when none is installed.

    Uses the font file named by ``PAIBAN_CJK_FONT`` when set, else looks for the fonts of
    :data:`CJK_FONT_NAMES` (``.ttc`` collections included) in matplotlib's font list, then in the usual font
    folders (fonts installed after matplotlib built its cache). On success the font heads
    ``font.sans-serif`` (the previous list stays as fallback) and ``axes.unicode_minus`` is switched off.
    """
    name = _find_cjk_font()
    if name is None:
        return None
    rest = [f for f in rcParams["font.sans-serif"] if f != name]
    rcParams["font.family"] = ["sans-serif"]
    rcParams["font.sans-serif"] = [name, *rest]
    rcParams["axes.unicode_minus"] = False
    return name


_warned = False
"""True once this process has warned that no CJK font was found (the warning is given once)."""


def _no_font() -> bool:
    """True when no CJK font can draw Chinese; warns the first time (once per process)."""
    global _warned
    if _find_cjk_font() is not None:
        return False
    if not _warned:
        _warned = True
        warnings.warn(
            "未找到中文字体: 图中标签改用英文, 中文名称显示为编号和其中的英文部分; 请安装 fonts-noto-cjk 或设置 "
            "PAIBAN_CJK_FONT (no CJK font found: plots are labelled in English and Chinese names shown by number "
            "and their English part; install fonts-noto-cjk or set PAIBAN_CJK_FONT)",
            stacklevel=3,
        )
    return True


def resolve_lang(lang: str | None) -> str:
    """The language to draw in: English whenever Chinese is wanted but no CJK font is installed."""
    want = lang or language()
    if want not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {want!r}")
    if want == "zh" and _no_font():
        return "en"
    setup_cjk_font()  # names written in Chinese still need the glyphs
    return want


def safe_text(text: str, fallback: str) -> str:
    """``text``, or ``fallback`` when it holds CJK characters and no CJK font can draw them."""
    return fallback if _CJK_CHAR.search(text) and _no_font() else text


_LATIN = re.compile(r"[A-Za-z0-9]")


def readable_name(text: str, number: int) -> str:
    """A scenario's name as a plot can show it: the name itself, or — when it holds CJK characters and no CJK
    font can draw them — ``#number`` followed by its part without Chinese (the last bracketed part that has
    none, e.g. ``"#2 demand ×1.2"`` for ``"客流 ×1.2 (demand ×1.2)"``; else the name with the Chinese left
    out), or ``#number`` alone when nothing readable is left."""
    if not _CJK_CHAR.search(text) or not _no_font():
        return text
    brackets = [b for b in re.findall(r"[(（]([^()（）]*)[)）]", text) if not _CJK_CHAR.search(b)]
    rest = brackets[-1] if brackets else _CJK_CHAR.sub(" ", re.sub(r"[(（][^()（）]*[)）]", " ", text))
    rest = " ".join(rest.replace("、", " ").split()).strip(" :,;-")
    return f"#{number} {rest}" if _LATIN.search(rest) else f"#{number}"


# ---- panels, days, slots, counters ---------------------------------------------------------------------------------------


def as_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(str(v)).date()


def day_label(date: dt.date, lang: str | None = None) -> str:
    """``11-30 周一`` (or ``11-30 Mon``)."""
    return f"{date:%m-%d} {weekday_label(date.weekday(), lang)}"


def minutes(col: pd.Series) -> np.ndarray:
    return np.array([v if isinstance(v, int | np.integer) else parse_hhmm(str(v)) for v in col], dtype=int)


class PlotFigure(Figure):
    """A Figure that shows itself in Jupyter as a PNG without pyplot (these figures are never in pyplot's list)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()


def panels(
    n: int, ax: Axes | Sequence[Axes] | None, figsize: tuple[float, float], **grid: Any
) -> tuple[Figure, list[Axes], bool]:
    """The figure and ``n`` axes to draw on: the caller's, or new ones. Third value: True when new."""
    if ax is None:
        fig = PlotFigure(figsize=figsize, layout="constrained")
        axes = fig.subplots(squeeze=False, **grid).ravel().tolist()
        return fig, axes, True
    given = [ax] if isinstance(ax, Axes) else list(ax)
    if len(given) != n:
        raise ValueError(f"this plot has {n} panel(s); got {len(given)} Axes")
    root = given[0].get_figure(root=True)
    if not isinstance(root, Figure):
        raise ValueError("the given Axes belong to no figure")
    return root, given, False


def set_title(fig: Figure, axes: list[Axes], new: bool, text: str) -> None:
    if new:
        fig.suptitle(text, fontsize=13)
    else:
        axes[0].set_title(text if len(axes) == 1 else f"{text}\n{axes[0].get_title()}")


def counter_name(counter: str, lang: str) -> str:
    return label(ACTIVITY_LABELS, counter, lang)


def counters_of(frame: pd.DataFrame, counter: str | None) -> list[str]:
    if counter is not None:
        if counter not in set(frame["counter"]):
            raise ValueError(
                f"no rows for counter {counter!r}; the frame has {sorted(set(frame['counter']))}"
            )
        return [counter]
    present = set(frame["counter"])
    return [c for c in COUNTER_TYPES if c in present] + sorted(present - set(COUNTER_TYPES))
