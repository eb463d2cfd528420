"""Verifications spoken outward in other systems' formats (FHIR R4 for EHRs)."""
