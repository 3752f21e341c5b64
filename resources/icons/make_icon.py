"""Draws Shorei's icon: a clipboard with a form, a green check and 症. Writes shorei.ico (16–256 px) and
shorei.png (256 px, for the window and the README) beside this file.

The icon is drawn, not scanned: change this file and run it again (`uv run --with pillow==13.0.0 python
resources/icons/make_icon.py`); both outputs are committed, so building the program needs no Pillow.
Small sizes leave out 症 and the form's lines, which would only blur at 16 and 24 px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "ipaexg.ttf"
SIZES = (16, 24, 32, 48, 64, 128, 256)

BOARD = (38, 92, 160, 255)  # the clipboard: a calm hospital blue
BOARD_EDGE = (24, 64, 118, 255)
PAPER = (255, 255, 255, 255)
CLIP = (178, 186, 196, 255)
CLIP_EDGE = (110, 118, 128, 255)
LINE = (168, 182, 204, 255)
CHECK = (36, 160, 72, 255)
KANJI = (30, 48, 80, 255)


def draw(size: int) -> Image.Image:
    """The icon at `size` pixels, drawn at 4× and scaled down for smooth edges."""
    scale = 4
    n = size * scale
    image = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * n), round(y0 * n), round(x1 * n), round(y1 * n))

    detailed = size >= 32
    pen.rounded_rectangle(
        box(0.12, 0.08, 0.88, 0.97),
        radius=round(0.09 * n),
        fill=BOARD,
        outline=BOARD_EDGE,
        width=max(scale, n // 64),
    )
    pen.rectangle(box(0.2, 0.18, 0.8, 0.9), fill=PAPER)
    pen.rounded_rectangle(
        box(0.33, 0.02, 0.67, 0.17),
        radius=round(0.04 * n),
        fill=CLIP,
        outline=CLIP_EDGE,
        width=max(scale, n // 80),
    )
    if detailed:
        for y in (0.68, 0.76, 0.84):
            pen.rectangle(box(0.27, y, 0.73 if y < 0.8 else 0.58, y + 0.025), fill=LINE)
        font = ImageFont.truetype(str(FONT), round(0.38 * n))
        pen.text((0.42 * n, 0.41 * n), "症", font=font, fill=KANJI, anchor="mm")
        check = [(0.58, 0.46), (0.68, 0.58), (0.92, 0.26)]
        width = 0.085
    else:
        check = [(0.28, 0.52), (0.44, 0.7), (0.76, 0.3)]
        width = 0.13
    points = [(x * n, y * n) for x, y in check]
    pen.line(points, fill=(255, 255, 255, 255), width=round((width + 0.05) * n), joint="curve")
    pen.line(points, fill=CHECK, width=round(width * n), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    images = [draw(size) for size in SIZES]
    largest = images[-1]
    largest.save(HERE / "shorei.png")
    largest.save(HERE / "shorei.ico", format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])


if __name__ == "__main__":
    main()
