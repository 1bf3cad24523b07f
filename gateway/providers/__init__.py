"""Simulated provider systems of the alliance's departments.

Real HTTP servers that stand in for each department's own system (不动产登记, 税务, 民政 …),
answering the gateway's brokered queries from a deterministic synthetic province and signing
every answer with the department's SM2 key. ``protocol`` defines the signed wire format the
gateway's provider connector speaks; ``dataset`` builds the records; ``answers`` maps catalogue
entries to look-ups; ``simulator`` is the WSGI app; ``runner`` serves it; ``samples`` lists
queries the simulators can answer. See docs/providers.md.
"""
