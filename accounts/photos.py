"""A user's own photo: checked, oriented, cropped square, small and re-encoded."""

import contextlib
import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

SIZE = (256, 256)
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Anything bigger than this is refused before it is decoded: a decompression bomb.
MAX_PIXELS = 40_000_000


def user_photo_from(upload: File[bytes]) -> ContentFile[bytes]:
    """Return the stored form of an uploaded photo, or raise ValidationError."""
    image = _open(upload)
    # An unreadable EXIF block leaves the photo as it is; it is not stored either way.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = ImageOps.fit(image.convert("RGBA" if has_alpha else "RGB"), SIZE)
    # Only the pixels are written back: nothing hidden in the upload (a comment, EXIF,
    # an ICC profile) is kept.
    image.info = {}
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=True)
        return ContentFile(out.getvalue(), name="photo.png")
    image.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")


def _open(upload: File[bytes]) -> Image.Image:
    if upload.size is not None and upload.size > settings.PHOTO_MAX_BYTES:
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
            if image.format not in FORMATS:
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
