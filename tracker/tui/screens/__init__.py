"""Screens pushed over the matrix: history, forms, prompts, help."""
