"""The package's error hierarchy: messages say what, the value received, and what to do next."""

from __future__ import annotations


class ImnmError(Exception):
    """Base class of every error this package raises on purpose."""


class RecordError(ImnmError, ValueError):
    """A record (Document, EntitySpan, EpiFigure, ...) failed validation."""


class InputError(ImnmError):
    """An input path or format the user gave cannot be used (usage error: exit 2 in the CLI)."""


class ReaderError(ImnmError):
    """A file or record could not be parsed; readers catch it, report it, and go on."""


class ResourceError(ImnmError):
    """A bundled lexicon or rule file is missing or malformed."""


class ModelError(ImnmError):
    """The transformer (base weights or fine-tuned adapter) is missing, altered, or incompatible."""


class ReviewError(ImnmError):
    """A reviewed claims sheet cannot be read back."""
