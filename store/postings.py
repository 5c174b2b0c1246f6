"""The similarity postings: for each pool, answer and fingerprint, the learners' latest submissions holding it.

Why: a check used to read every print of its pool and rebuild the index, so a cohort of n
cost n^2 reads and decodes. With postings a check asks only for the fingerprints of the new
submission (who holds each, hence how many learners do) and then reads the prints of the
few submissions that share enough with it. Each learner is posted once, by their latest
submission (arrival time, then id), exactly as ``service.integrity`` counts them.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from store.models import IntegrityPostingRow, IntegrityPrintRow
from store.sessions import SessionScope

CHUNK = 500  # fingerprints per query: well under SQLite's limit on bound parameters
Hashes = Mapping[str, Collection[int]]  # answer key -> fingerprint hashes


class PostingsStore(SessionScope):
    def pool_size(self, pool: str) -> int:
        """How many learners the pool holds (each counts once, whatever they resubmitted)."""
        query = select(func.count(func.distinct(IntegrityPrintRow.learner))).where(
            IntegrityPrintRow.pool == pool
        )
        with self.transaction() as session:
            return int(session.scalar(query) or 0)

    def holders(self, pool: str, hashes: Hashes) -> dict[tuple[str, int], list[str]]:
        """For each of these fingerprints, the posted submissions holding it, by id."""
        found: dict[tuple[str, int], list[str]] = defaultdict(list)
        with self.transaction() as session:
            for key, chunk in _chunks(hashes):
                query = select(IntegrityPostingRow.hash, IntegrityPostingRow.submission_id).where(
                    IntegrityPostingRow.pool == pool,
                    IntegrityPostingRow.answer_key == key,
                    IntegrityPostingRow.hash.in_(chunk),
                )
                for digest, submission_id in session.execute(query):
                    found[(key, digest)].append(submission_id)
        return {k: sorted(v) for k, v in found.items()}

    def frequencies(self, pool: str, hashes: Hashes) -> Counter[tuple[str, int]]:
        """For each of these fingerprints, how many learners' latest submissions hold it."""
        counts: Counter[tuple[str, int]] = Counter()
        with self.transaction() as session:
            for key, chunk in _chunks(hashes):
                query = (
                    select(IntegrityPostingRow.hash, func.count())
                    .where(
                        IntegrityPostingRow.pool == pool,
                        IntegrityPostingRow.answer_key == key,
                        IntegrityPostingRow.hash.in_(chunk),
                    )
                    .group_by(IntegrityPostingRow.hash)
                )
                for digest, count in session.execute(query):
                    counts[(key, digest)] = int(count)
        return counts


def post_latest(session: Session, submission_id: str, pool: str, learner: str, hashes: Hashes) -> bool:
    """Post ``submission_id`` if it is the learner's latest in the pool (its print row stored); whether it is.

    The learner's earlier submission's postings go, so the learner counts once. One that
    arrives after a later one of theirs was checked is stored but not posted.
    """
    _lock_learner(session, pool, learner)
    order = (IntegrityPrintRow.received_at.desc(), IntegrityPrintRow.submission_id.desc())
    latest = session.scalar(
        select(IntegrityPrintRow.submission_id)
        .where(IntegrityPrintRow.pool == pool, IntegrityPrintRow.learner == learner)
        .order_by(*order)
        .limit(1)
    )
    if latest != submission_id:
        session.execute(delete(IntegrityPostingRow).where(IntegrityPostingRow.submission_id == submission_id))
        return False
    theirs = select(IntegrityPrintRow.submission_id).where(
        IntegrityPrintRow.pool == pool, IntegrityPrintRow.learner == learner
    )
    session.execute(
        delete(IntegrityPostingRow).where(
            IntegrityPostingRow.pool == pool, IntegrityPostingRow.submission_id.in_(theirs)
        )
    )
    rows = [
        {"pool": pool, "answer_key": key, "hash": digest, "submission_id": submission_id}
        for key, digests in sorted(hashes.items())
        for digest in sorted(set(digests))
    ]
    if rows:
        session.execute(insert(IntegrityPostingRow), rows)
    return True


def _lock_learner(session: Session, pool: str, learner: str) -> None:
    """Serialise the posting of one learner in one pool, so two of their submissions never both stay posted.

    SQLite's write transactions already run one at a time; PostgreSQL takes a lock for the
    pair until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(f"{pool}\0{learner}".encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _chunks(hashes: Hashes) -> Iterator[tuple[str, list[int]]]:
    for key, digests in sorted(hashes.items()):
        ordered = sorted(set(digests))
        for start in range(0, len(ordered), CHUNK):
            yield key, ordered[start : start + CHUNK]
