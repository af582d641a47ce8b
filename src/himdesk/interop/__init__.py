"""Exchange with other systems: readers and writers of FHIR R4, HL7 v2 and C-CDA."""
