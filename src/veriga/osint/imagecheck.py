"""A look at an image's header, without decoding its pixels: is it an image at all, and is
it small enough to decode (a decompression bomb declares a huge image in a small file)?"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

#: Pixels an image may have (width x height); Pillow's own warning starts at about 89 million.
MAX_PIXELS = 40_000_000
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "ICO")
#: Content types whose header is checked; others (SVG, AVIF, HEIC) are taken as they come.
CHECKED = frozenset({"image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif",
                     "image/webp", "image/bmp", "image/x-ms-bmp", "image/tiff", "image/x-icon",
                     "image/vnd.microsoft.icon"})


def image_problem(body: bytes, max_pixels: int = MAX_PIXELS) -> str | None:
    """Why ``body`` should not be taken as an image, or ``None``; reads the header only."""
    if not body:
        return "not an image: empty body"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(body), formats=FORMATS) as img:
                width, height = img.size
        except UnidentifiedImageError:
            return "not an image (no PNG, JPEG, GIF, WebP, BMP, TIFF or ICO header)"
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return f"image larger than {max_pixels} pixels (decompression bomb?)"
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            return f"damaged image header: {str(exc)[:120]}"
    if width < 1 or height < 1:
        return "image without pixels"
    if width * height > max_pixels:
        return (f"image of {width}x{height} pixels is larger than {max_pixels} pixels "
                "(decompression bomb?)")
    return None
