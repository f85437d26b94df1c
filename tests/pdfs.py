"""Reading PDFs as a reader would, with poppler's command-line tools (poppler-utils)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """The PDF's text, in reading order (pdftotext); pages are separated by form feeds."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode()


def pdf_info(content: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Author, Subject, Keywords, CreationDate, Tagged, Pages, …)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(
            ["pdfinfo", "-isodates", handle.name], capture_output=True, check=True
        ).stdout.decode()
    fields = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def page_image(content: bytes, page: int = 1, dpi: int = 50) -> Image.Image:
    """One page as an image (pdftoppm), in greyscale."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(content)
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                str(page),
                "-l",
                str(page),
                "-r",
                str(dpi),
                "-gray",
                "-png",
                "-singlefile",
                str(pdf),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        with Image.open(Path(tmp) / "page.png") as image:
            return image.convert("L").copy()


def ink_fraction(image: Image.Image) -> float:
    """Share of the page's pixels that are not (near) white."""
    histogram = image.histogram()
    dark = sum(histogram[:200])
    return dark / (image.width * image.height)


def pdf_fonts(content: bytes) -> list[str]:
    """The embedded fonts' names without their subset prefix (pdffonts), e.g. 'DejaVu-Serif'."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True).stdout
    rows = out.decode().splitlines()[2:]
    return sorted({row.split()[0].split("+")[-1] for row in rows if row.strip()})
