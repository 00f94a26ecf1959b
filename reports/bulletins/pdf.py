"""HTML → PDF with WeasyPrint, fetching nothing from outside the document."""

from dataclasses import dataclass

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int


def render_pdf(html: str) -> RenderedPdf:
    """Render a self-contained HTML document (inline CSS and SVG).

    The fetcher allows `data:` URLs only: a bulletin never reads local files or the network,
    whatever its text contains.
    """
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(font_config=fonts)
    return RenderedPdf(content=document.write_pdf(), page_count=len(document.pages))
