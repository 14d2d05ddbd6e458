"""Markdown (CommonMark, by markdown-it-py) to HTML that nh3 has sanitised: what a bulletin's
body may hold on any page, feed or message that shows it."""

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the Markdown is not rendered (html=False): it shows as text. nh3 then keeps only
# these tags and attributes, and only http(s) and mailto links.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "ul", "ol", "li", "blockquote", "a",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def render(markdown: str) -> str:
    html = _md.render(markdown)
    # Headings start at h2: the page's h1 is the bulletin's title.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
