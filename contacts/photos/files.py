"""Check, orient, shrink and re-encode uploaded photos."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_SIZE = (200, 300)
THUMB_SIZE = (64, 64)
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Anything bigger than this is refused before it is decoded: a decompression bomb.
MAX_PIXELS = 40_000_000


def _open(upload: File[bytes], formats: Collection[str] = ALLOWED_FORMATS) -> Image.Image:
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; the largest allowed is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(settings.PHOTO_MAX_BYTES)}
        )
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG, GIF or WebP image, or it is damaged.")
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in formats:
                raise not_an_image
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("This image has too many pixels to be a photo."))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("This image has too many pixels to be a photo.")) from exc
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds for damaged files.
        raise not_an_image from exc
    return image


def _encode(image: Image.Image) -> tuple[bytes, str]:
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    # Pillow writes some of what it read back out (a JPEG or GIF comment, an ICC
    # profile): only the pixels are kept, so nothing hidden in the upload is stored.
    image.info = {}
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), ".png"
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue(), ".jpg"


def process_photo(
    upload: File[bytes], formats: Collection[str] = ALLOWED_FORMATS
) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """Return (photo, thumbnail) files for an upload, or raise ValidationError.

    formats: the Pillow formats accepted; a web site's icon may also be an ICO file.
    """
    image = _open(upload, formats)
    # An unreadable EXIF block leaves the photo as it is; it is not stored either way.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    photo = image.copy()
    photo.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)  # Never upscales.
    thumb = ImageOps.fit(image, THUMB_SIZE, Image.Resampling.LANCZOS)
    photo_bytes, ext = _encode(photo)
    thumb_bytes, thumb_ext = _encode(thumb)
    return ContentFile(photo_bytes, name="photo" + ext), ContentFile(
        thumb_bytes, name="t" + thumb_ext
    )
