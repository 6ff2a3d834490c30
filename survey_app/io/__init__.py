"""Files in and out, for the CLI and the pages: reading CSV (and, later, Excel) and writing
whole files atomically. No database and no Flask here."""
