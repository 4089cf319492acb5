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

__all__ = [
    "__version__",
    "Document", "Section", "ReadIssue", "Rate", "EntitySpan", "Provenance",
    "Mention", "EpiFigure", "TreatmentClaim", "RiskFactor", "record_from_dict",
    "ImnmError", "InputError", "ModelError", "ReaderError", "RecordError", "ResourceError", "ReviewError",
]
