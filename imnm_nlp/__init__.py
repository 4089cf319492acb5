"""imnm-nlp: bilingual evidence mining for immune-mediated necrotizing myopathy (IMNM) and the IIMs.

Nothing happens at import: no model load, no network, no logging handlers.
"""

from __future__ import annotations

__version__ = "0.1.0"

from imnm_nlp.errors import ImnmError, InputError, ModelError, ReaderError, RecordError, ResourceError, ReviewError
from imnm_nlp.records import (
    Document,
    EntitySpan,
    EpiFigure,
    Mention,
    Provenance,
    Rate,
    ReadIssue,
    RiskFactor,
    Section,
    TreatmentClaim,
    record_from_dict,
)



def read_documents(paths, fmt="auto", on_issue=None):  # type: ignore[no-untyped-def]
    """Stream Documents from files/folders; see :func:`imnm_nlp.readers.read_documents`."""
    from imnm_nlp.readers import read_documents as _read

    return _read(paths, fmt=fmt, on_issue=on_issue)


def tag_rules(text: str, lang: str):  # type: ignore[no-untyped-def]
    """Rule-based entity spans of a text; see :func:`imnm_nlp.tagging.tag_rules`."""
    from imnm_nlp.tagging import tag_rules as _tag

    return _tag(text, lang)


def load(use_model: bool = True, model_path: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """Build the analysis pipeline: ``nlp = imnm_nlp.load(); nlp("text", lang=None)``.

    See :func:`imnm_nlp.pipeline.load`. Imports lazily: importing the package loads nothing heavy.
    """
    from imnm_nlp.pipeline import load as _load

    return _load(use_model=use_model, model_path=model_path, **kwargs)


def extract(inputs, out, **kwargs):  # type: ignore[no-untyped-def]
    """Run the whole job over files/folders into ``out``; see :func:`imnm_nlp.run.extract`."""
    from imnm_nlp.run import extract as _extract

    return _extract(inputs, out, **kwargs)


__all__ = [
    "__version__", "load", "extract", "read_documents", "tag_rules",
    "Document", "Section", "ReadIssue", "Rate", "EntitySpan", "Provenance",
    "Mention", "EpiFigure", "TreatmentClaim", "RiskFactor", "record_from_dict",
    "ImnmError", "InputError", "ModelError", "ReaderError", "RecordError", "ResourceError", "ReviewError",
]
