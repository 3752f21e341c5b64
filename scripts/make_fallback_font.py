"""Regenerate resources/fonts/shorei-fallback-mincho.ttf: the glyphs of IPAmj明朝 that IPAex Gothic lacks and that
Japanese names may use.

Run from the repository root with Debian's `fonts-ipamj-mincho` installed (or give its path):

    uv run python scripts/make_fallback_font.py [--level4] [/usr/share/fonts/truetype/ipamj/ipamjm.ttf]

Which characters: the name characters listed below (𠮷 …) and the CJK compatibility ideographs
(U+F900–U+FAFF, e.g. 﨑 U+FA11), keeping only those IPAex Gothic cannot draw and IPAmj明朝 can. IPAex
already draws JIS X 0208 and level 3 of JIS X 0213; the 3,007 level-4 kanji it lacks would make the file
1.2 MB, so `--level4` adds them only on request (the sheets then embed only the glyphs they use). Variation
sequences (IVS) are not kept: the sheets print the base character, which is what the society's forms hold.
The subset keeps the glyph outlines only (no hinting), so it stays a few hundred KB.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "resources" / "fonts"
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
OUTPUT = FONTS / "shorei-fallback-mincho.ttf"
FAMILY = "Shorei Fallback Mincho"
POSTSCRIPT = "ShoreiFallbackMincho"
"""A name of its own: the IPA Font License (Article 3.1(4)) forbids the original's name on a derived font."""

NAME_CHARACTERS = (
    "𠮷𡈽𣘺𦚰𩸽𠀋𡵅𪚲𤚩𥔎𥝱𨏍𠏹𩹉𦥑𧿒𪗱𡋽𪀚𢭏𧃴𥧄𤋮𨺉𦹀𧟱𡌛𦣪"
    "彅槗淸晧栁曻靑禮穗髙﨑德濵邉邊齋齊吳戶彥瀨賴淺將槇嵜圡兪鷗曾寬惠莊廣黑眞步郞鄕薰"
)
"""Characters of Japanese family and given names (𠮷 of 𠮷田, 槗 for 橋, 吳, 戶, 彥 …) that are often
outside JIS X 0208; those IPAex Gothic already draws are dropped by `wanted`."""


def jis_x_0213() -> set[int]:
    codes: set[int] = set()
    for first in range(0xA1, 0xFF):
        for second in range(0xA1, 0xFF):
            for raw in (bytes([first, second]), bytes([0x8F, first, second])):
                try:
                    text = raw.decode("euc_jis_2004")
                except UnicodeDecodeError:
                    continue
                if len(text) == 1:
                    codes.add(ord(text))
    return codes


def is_ideograph(code: int) -> bool:
    return unicodedata.name(chr(code), "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def wanted(source: Path, *, level4: bool = False) -> list[int]:
    has = TTFont(FONTS / "ipaexg.ttf").getBestCmap()
    mj = TTFont(source, lazy=True).getBestCmap()
    pool = set(range(0xF900, 0xFB00)) | {ord(char) for char in NAME_CHARACTERS}
    if level4:
        pool |= {code for code in jis_x_0213() if is_ideograph(code)}
    return sorted(code for code in pool if code not in has and code in mj)


def rename(font: TTFont) -> None:
    names = font["name"]
    version = names.getDebugName(5) or ""
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6):
            names.removeNames(nameID=record.nameID)
    for name_id, text in ((1, FAMILY), (3, f"{POSTSCRIPT};{version}"), (4, FAMILY), (6, POSTSCRIPT)):
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--level4"]
    source = Path(args[0]) if args else DEFAULT_SOURCE
    codes = wanted(source, level4="--level4" in sys.argv[1:])
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.glyph_names = False
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    rename(font)
    subset.save_font(font, str(OUTPUT), options)
    print(f"{OUTPUT}: {len(codes)} characters, {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
