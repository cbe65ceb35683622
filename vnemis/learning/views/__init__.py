"""Pages of learning results (one module per area; ``urls.py`` names them)."""
