"""Every page in every language: reading, front matter and the rules pages follow."""
