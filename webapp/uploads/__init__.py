"""Files sent by families and agents: one place that checks, cleans, stores and serves them.

`checks` decides from the bytes alone (never the name or the browser's type) whether a
file is a JPEG, PNG or PDF we accept, and re-encodes images; `storage` keeps the result
under the instance folder, per commune, with a `StoredFile` row; `serving` answers a
download once the caller has checked who may read it.
"""

# Sending: messages (with or without a file) and photos, per visitor's IP, so a script cannot
# fill a commune's disk or inbox; far above what a family writes in an hour.
SENDS_PER_IP = "60 per hour"
