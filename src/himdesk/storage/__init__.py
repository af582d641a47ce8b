"""SQLAlchemy adapter: tables, repositories, unit of work and migrations."""
