"""Personal-information protection: data classes of fields, masking (脱敏) and detection."""
