"""Online investigation: collect ads as evidence, extract identifiers, find operations."""
