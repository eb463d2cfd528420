"""42 CFR Part 2: a substance-use program's 270 discloses that the person applied for care.

A program the facility profile marks ``part2`` may send a 270 only with the patient's
written consent (§2.31, as revised in 2024, compliance date 2026-02-16):

- ``consent``: the versioned consent text with every §2.31(a) element, in English and
  Spanish, and the sealed record of the one the visitor signed (typed name, time).
- ``gate``: wraps every 270 a Part 2 verification sends (the first check, carve-out
  re-queries, re-checks): no valid consent, no 270; each one sent goes in the ledger.
- ``ledger``: the disclosures (recipient, time, purpose, what was sent, sealed where it
  names the person), for staff and for the patient's list of disclosures.
- ``revoke``: staff record a revocation the person asked for; further checks stop.
- ``schedule``: the clause that keeps revoked or expired consents out of re-checks.
"""
