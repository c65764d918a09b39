"""Entity resolution: persons, companies and account holders deduplicated within a case."""
