"""What a person sees, measured in Chromium: where glyphs land, whether the
page scrolls sideways, and how a control's pixels change when it is focused."""

# The boxes of the given substrings of the first text node under `selector`
# that contains all of them, in page coordinates.
_GLYPH_BOXES = """([selector, parts]) => {
  const walker = document.createTreeWalker(
    document.querySelector(selector), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!parts.every(part => node.data.includes(part))) continue;
    return parts.map(part => {
      const range = document.createRange();
      const start = node.data.indexOf(part);
      range.setStart(node, start);
      range.setEnd(node, start + part.length);
      const box = range.getBoundingClientRect();
      return {left: box.left, right: box.right, top: box.top};
    });
  }
  return null;
}"""


def glyph_boxes(page, selector: str, parts: list[str]) -> list[dict]:
    boxes = page.evaluate(_GLYPH_BOXES, [selector, parts])
    assert boxes, f"no text under {selector} holds {parts}"
    return boxes


def scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth"
        " > document.scrollingElement.clientWidth"
    )


def content_right_edge(page, selector: str) -> float:
    """The right edge of an element's content box (its border minus padding)."""
    return page.evaluate(
        """selector => {
          const element = document.querySelector(selector);
          const style = getComputedStyle(element);
          return element.getBoundingClientRect().right
            - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
        }""",
        selector,
    )
