"""Services: the operations screens and commands perform, each one transaction with its audit record."""
