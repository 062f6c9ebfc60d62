"""A child's photo: optional, for staff to recognise the child; never published (RGPD notes §4)."""
