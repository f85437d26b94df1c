"""Bar charts for the demo content's figures, drawn with Pillow at load time (so the repository
holds the chart's numbers, not an image file)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 640
INK, MUTED, BAR, ACCENT = (26, 29, 36), (77, 85, 98), (23, 78, 166), (155, 28, 28)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:  # no DejaVu on this machine: Pillow's own font
        return ImageFont.load_default(size)


def bar_chart_png(title: str, unit: str, bars: list[Bar]) -> bytes:
    """A horizontal bar chart as PNG bytes: one labelled bar per row, values at the bar ends."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 30), title, fill=INK, font=_font(34, bold=True))
    draw.text((40, 80), unit, fill=MUTED, font=_font(24))
    label_font, value_font = _font(26), _font(26, bold=True)
    left, right, top = 330, WIDTH - 140, 140
    row = (HEIGHT - top - 30) / max(len(bars), 1)
    peak = max((bar.value for bar in bars), default=1) or 1
    for index, bar in enumerate(bars):
        y = top + index * row
        draw.text((40, y + row / 2), bar.label, fill=INK, font=label_font, anchor="lm")
        end = left + (right - left) * bar.value / peak
        draw.rectangle(
            (left, y + row * 0.2, end, y + row * 0.8), fill=ACCENT if bar.highlight else BAR
        )
        draw.text((end + 12, y + row / 2), f"{bar.value:g}", fill=INK, font=value_font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
