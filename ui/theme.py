"""Sizes and colours for normal and 大字模式, chosen against the MIIT 适老化 numbers (docs/ARCHITECTURE.md, "Accessibility audit").

Pixel sizes are for a kiosk viewed at arm's length; at 96 dpi 1 pt = 4/3 px, so 24 px = 18 pt.
Every colour pair here has a contrast ratio ≥ 4.5:1 (tests/ui checks the rendered widgets).
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", "SimSun")

INK = "#1A1A1A"
PAPER = "#FFFFFF"
BACKDROP = "#F2F4F7"
MUTED = "#4A4F57"
HEADER = "#8E1B1B"  # 政务红, white text on it is 8.6:1
URGENT = "#B00020"
STALE = "#FFD54F"  # amber behind the stale-data line; ink on it is 12:1
OK_GREEN = "#1B5E20"
STALE_AMBER = "#7A4F00"
PREVIEW_DESK = "#C9CED4"  # behind preview pages, so the white paper edges show

TILE_COLOURS: dict[str, str] = {
    "catalogue": "#0D47A1",
    "documents": "#8E1B1B",
    "interpretations": "#4A148C",
    "subsidies": "#1B5E20",
    "boards": "#BF360C",
    "guides": "#00695C",
    "notices": "#283593",
    "search": "#37474F",
}


@dataclass(frozen=True)
class Scale:
    """Pixel sizes for one reading mode."""

    body_px: int
    small_px: int
    title_px: int
    headline_px: int
    tile_label_px: int
    tile_count_px: int
    min_touch_px: int
    spacing_px: int


NORMAL = Scale(body_px=26, small_px=24, title_px=34, headline_px=44, tile_label_px=40, tile_count_px=26,
               min_touch_px=64, spacing_px=20)
LARGE = Scale(body_px=34, small_px=30, title_px=44, headline_px=56, tile_label_px=54, tile_count_px=32,
              min_touch_px=96, spacing_px=24)


def scale_for(large: bool) -> Scale:
    return LARGE if large else NORMAL
