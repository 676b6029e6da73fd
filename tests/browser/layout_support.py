"""What a person sees, measured in Chromium: where glyphs land, whether the
page scrolls sideways, and how a control's pixels change when it is focused."""

import zlib

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


def png_pixels(data: bytes) -> list[list[tuple[int, int, int]]]:
    """Rows of RGB pixels of an 8-bit, non-interlaced PNG (what Chromium's
    screenshots are), without an imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width = int.from_bytes(body[0:4], "big")
            height = int.from_bytes(body[4:8], "big")
            depth, color_type, interlace = body[8], body[9], body[12]
            assert depth == 8 and interlace == 0 and color_type in (2, 6)
            channels = 4 if color_type == 6 else 3
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                best = min(
                    (abs(estimate - left), 0, left),
                    (abs(estimate - up), 1, up),
                    (abs(estimate - corner), 2, corner),
                )[2]
                line[x] = (line[x] + best) & 0xFF
        rows.append([tuple(line[x : x + 3]) for x in range(0, stride, channels)])
        previous = line
    return rows


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two sRGB colours."""

    def luminance(color):
        linear = [
            value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
            for value in (channel / 255 for channel in color)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
