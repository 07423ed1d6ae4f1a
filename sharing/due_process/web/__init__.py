"""The rights owner's dispute, appeal and standing pages, and the URL map of all its pages."""
