"""Học bạ số artefacts: the transcript PDF, its signatures and their verification.

Pure Python with no models and no database: the services, jobs and commands of
``vnemis.learning`` build a :class:`~.document.TranscriptData` from their records and call

``document.transcript_pdf``
    renders one school year of one student as the official-looking A4 page;
``signing.pdf_sign``
    adds one PAdES signature as an incremental update (homeroom teacher first, then the
    institution, which locks the document);
``verify.pdf_verify``
    checks a presented file: both signatures, in that order, intact, chained to a trusted root,
    and nothing added after the last one;
``ca``
    a test and demo certificate authority; production signs through a licensed Vietnamese CA
    behind the same :class:`~.ca.Signer` interface.
"""

from __future__ import annotations
