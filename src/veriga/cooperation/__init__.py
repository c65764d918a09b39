"""Cooperation between installations: hit/no-hit match filters (:mod:`.hits`)."""
