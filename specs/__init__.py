"""Reading an instructor's spec file (an exam, a programme): decoding YAML or JSON, typed fields, every problem named.

Both the exam bank and programme records read specs; this toolkit is theirs in common, so
neither depends on the other. It raises ``InvalidSpec``; each reader turns that into its own
kind (``InvalidExam``, ``InvalidProgramme``) so a client learns which spec was wrong.
"""
