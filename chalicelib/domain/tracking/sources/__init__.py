"""One module per webhook sender: its signature scheme, its payload, its status tables."""
