"""Makes the PDF pages of this folder once (they are committed; tests never run this).

    .venv/bin/python briefdesk/archive/tests/files/pages/make_pdfs.py

Each PDF is laid out by WeasyPrint from the HTML below, then its document information is
set with pypdf exactly as the publisher's tools would have left it (or left out).
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

HERE = Path(__file__).parent

STYLE = """
<style>
@page { size: A4; margin: 2.5cm }
body { font-family: serif; font-size: 11pt }
.cover h1 { font-size: 24pt; margin-top: 6cm }
.publisher { font-size: 10pt; text-transform: uppercase; letter-spacing: .1em }
</style>
"""

PDFS = {
    "pdf_iiss_report.pdf": (
        """<div class="cover"><h1>China's Naval Shipbuilding Surge and the Balance in the
        Western Pacific</h1><p>Meia Nouwens and Nick Childs</p><p>May 2026</p>
        <p class="publisher">The International Institute for Strategic Studies</p></div>
        <h2>Executive summary</h2><p>Between 2021 and 2025 China launched more naval
        tonnage than any other country, and more than the United States and Japan combined.</p>""",
        {
            "/Title": "China's Naval Shipbuilding Surge and the Balance in the Western Pacific",
            "/Author": "Meia Nouwens; Nick Childs",
            "/Subject": "An IISS research paper on Chinese naval shipbuilding, 2021-2025.",
            "/CreationDate": "D:20260512093000+01'00'",
            "/Creator": "Adobe InDesign 20.2 (Windows)",
        },
    ),
    "pdf_gao_report.pdf": (
        """<div class="cover"><p class="publisher">United States Government Accountability
        Office</p><p>Report to Congressional Committees</p><h1>Foreign Military Sales: State
        and DOD Should Better Track End-Use Monitoring of Transferred Drones</h1>
        <p>GAO-26-106512</p><p>July 2026</p></div>
        <h2>What GAO found</h2><p>The Departments of State and Defense did not record end-use
        checks for 14 of 52 drone transfers GAO reviewed.</p>""",
        {
            "/Title": "Foreign Military Sales: State and DOD Should Better Track End-Use "
            "Monitoring of Transferred Drones",
            "/Author": "U.S. Government Accountability Office",
            "/Subject": "GAO-26-106512",
            "/CreationDate": "D:20260716142205-04'00'",
        },
    ),
    "pdf_no_info.pdf": (
        """<div class="cover"><h1>Displacement and Return in Northern Mozambique</h1>
        <p>A field assessment in Cabo Delgado province</p><p>November 2025</p>
        <p class="publisher">Norwegian Refugee Council</p></div>
        <h2>Key findings</h2><p>Most households that returned to Mocímboa da Praia in 2025
        had no access to their fields.</p>""",
        {},
    ),
    "pdf_created_before_printed.pdf": (
        """<div class="cover"><p class="publisher">Small Arms Survey</p><h1>Tracing Illicit
        Ammunition in the Sahel</h1><p>Briefing Paper</p><p>By Matt Schroeder</p>
        <p>February 2026</p></div><p>Of 1,240 cartridges documented in Mali, Burkina Faso and
        Niger, a third were produced after 2015.</p>""",
        {
            "/Title": "Tracing Illicit Ammunition in the Sahel",
            "/Author": "Matt Schroeder",
            "/CreationDate": "D:20260128110000Z",
        },
    ),
}


def make(name: str, body: str, info: dict[str, str]) -> None:
    laid_out = HTML(string=f"<html><head>{STYLE}</head><body>{body}</body></html>").write_pdf()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(laid_out)))
    writer.add_metadata(info)
    with open(HERE / name, "wb") as out:
        writer.write(out)


if __name__ == "__main__":
    for name, (body, info) in PDFS.items():
        make(name, body, info)
        print(name)
