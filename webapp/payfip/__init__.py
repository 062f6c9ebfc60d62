"""Online payment through PayFiP Régie (web service): client, stand-in, attempts, views, reconciliation."""
