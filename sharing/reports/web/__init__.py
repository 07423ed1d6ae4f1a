"""The rights owner's report pages."""
