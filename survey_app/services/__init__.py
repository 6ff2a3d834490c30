"""Transactions and ORM: services own the transaction; views and CLI commands call them."""
