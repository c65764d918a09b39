"""Labour exploitation schemes: subcontracting chains, postings, letterbox and phoenix
firms, and the workers' side (see docs/labour.md)."""
