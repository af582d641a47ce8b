"""C-CDA R2.1 documents: reading received documents into submissions for import."""
