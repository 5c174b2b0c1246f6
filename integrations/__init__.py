"""Platform integration, the pure part: signing, retry timing, result payloads and exports.

Course platforms (an LMS, a course site, an exam provider) post submissions to a signed
webhook and receive signed results. Everything here is a function of its arguments (no
network, no database, no clock of its own), so the rules that platforms rely on can be
tested exhaustively; web/ and worker/ do the I/O around them.
"""
