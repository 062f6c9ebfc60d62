"""E-mail: a per-commune outbox, sent by a worker with retries, and a development mailbox.

Nothing is ever sent from a request: `queue_mail` adds the message to the commune's
outbox in the same transaction as the change it reports, and `flask mail worker` (or
`flask mail send`) delivers it later. A mail server that is down delays messages; it
neither breaks a page nor loses a message.
"""
