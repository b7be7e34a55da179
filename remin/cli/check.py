"""remin check (placeholder until the engine lands in this branch)."""
