"""The trafficking chain: the case as a graph, its stages, and the money flowing through it."""
