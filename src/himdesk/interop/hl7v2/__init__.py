"""HL7 v2: reading messages into submissions, acknowledging them, and the MLLP listener."""
