"""FHIR R4 JSON: the inbound reader (`inbound.read_fhir`) and the outbound mapping."""
