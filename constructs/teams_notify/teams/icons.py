"""The two icons a Teams app package must carry, drawn with Pillow.

Teams wants `color.png` 192x192 (full colour) and `outline.png` 32x32 (white on a fully
transparent background). Drawing without anti-aliasing keeps the outline strictly white,
and PNGs written without metadata make the bytes the same on every run.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

COLOR_SIZE = 192
OUTLINE_SIZE = 32
WHITE = (255, 255, 255, 255)


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def _bubble(draw: ImageDraw.ImageDraw, size: int, outline_only: bool) -> None:
    """A speech bubble with a tail: the Notify "call me" sign, scaled to the canvas."""
    unit = size / 32
    box = (round(4 * unit), round(5 * unit), round(28 * unit) - 1, round(22 * unit) - 1)
    tail = [
        (round(9 * unit), round(21 * unit)),
        (round(9 * unit), round(28 * unit) - 1),
        (round(16 * unit), round(21 * unit)),
    ]
    radius = round(4 * unit)
    if outline_only:
        width = max(2, round(2 * unit))
        draw.rounded_rectangle(box, radius=radius, outline=WHITE, width=width)
        draw.line([tail[0], tail[1], tail[2]], fill=WHITE, width=width)
    else:
        draw.rounded_rectangle(box, radius=radius, fill=WHITE)
        draw.polygon(tail, fill=WHITE)


@cache  # pure: a synth of many tenants draws each colour once
def color_icon(accent_color: str) -> bytes:
    """192x192 RGB PNG: a white bubble with three dots on the accent colour."""
    from PIL import Image, ImageDraw  # imported here: only package writing needs Pillow

    rgb = _hex_to_rgb(accent_color)
    image = Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), rgb)
    draw = ImageDraw.Draw(image)
    _bubble(draw, COLOR_SIZE, outline_only=False)
    unit = COLOR_SIZE / 32
    for centre_x in (11, 16, 21):
        cx, cy, r = centre_x * unit, 13.5 * unit, 1.6 * unit
        draw.ellipse((round(cx - r), round(cy - r), round(cx + r), round(cy + r)), fill=rgb)
    return _png_bytes(image)


@cache
def outline_icon() -> bytes:
    """32x32 RGBA PNG: the bubble's outline in white, everything else fully transparent."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (0, 0, 0, 0))
    _bubble(ImageDraw.Draw(image), OUTLINE_SIZE, outline_only=True)
    return _png_bytes(image)
