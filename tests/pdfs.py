"""Reading PDFs as a reader would, with poppler's command-line tools (poppler-utils)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """The PDF's text, in reading order (pdftotext); pages are separated by form feeds."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode()


def get_pdf(client: Any, url: str) -> bytes:
    """The PDF at `url`, whole; fails the test unless it answers 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def _poppler(tool: str, content: bytes, *args: str) -> str:
    """Run a poppler tool that takes a file name on the PDF; its standard output."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            [tool, *args, handle.name], capture_output=True, check=True
        ).stdout.decode()


def pdf_info(content: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Author, Subject, Keywords, CreationDate, Tagged, Pages, …)."""
    out = _poppler("pdfinfo", content, "-isodates")
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
    rows = _poppler("pdffonts", content).splitlines()[2:]
    return sorted({row.split()[0].split("+")[-1] for row in rows if row.strip()})


def pdf_xmp(content: bytes) -> str:
    """The document's XMP metadata packet (pdfinfo -meta)."""
    return _poppler("pdfinfo", content, "-meta")
