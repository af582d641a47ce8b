"""Use cases: each checks permission, works through repositories, audits, commits."""
