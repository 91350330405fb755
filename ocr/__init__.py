"""Read the words in images (posters, banners): header checks, the OCR engine, a cache.

No Scrapy here: the crawler fetches the image bytes and hands them over; this package decides
whether an image is worth reading, reads it (rapidocr_onnxruntime, models inside the wheel) and
remembers the result by the image's SHA-256.
"""

from .cache import OcrCache
from .engine import OcrEngine, ocr_available, ocr_installed
from .image_check import ImageInfo, ImageLimits, ImageRejected, inspect_image
from .result import OcrResult, TextBox

__all__ = ["ImageInfo", "ImageLimits", "ImageRejected", "OcrCache", "OcrEngine", "OcrResult",
           "TextBox", "inspect_image", "ocr_available", "ocr_installed"]
