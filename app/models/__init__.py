"""Domain types: the application document, forms as data, year-months, text normalisation (no Qt)."""
