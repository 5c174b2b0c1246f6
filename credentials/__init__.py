"""Verifiable credentials by the W3C and 1EdTech standards, the pure core.

Open Badges 3.0 / CLR 2.0 credentials are secured here with the standard proofs (the
``eddsa-rdfc-2022`` Data Integrity cryptosuite, VC-JWT) and checked against a Bitstring
Status List, all offline: the JSON-LD contexts and JSON schemas are bundled and
allow-listed, never fetched. Like ``records/``, nothing here opens a socket, reads a clock
or a key file; the only files read are this package's own bundled data
(``credentials/README.md``).
"""
