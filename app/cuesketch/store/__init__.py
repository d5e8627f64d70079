"""Keeping projects: the SQLite project file, its schema and migrations, JSON interchange."""
