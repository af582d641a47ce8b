"""The workstation: FastAPI routes rendering server-side HTML."""
