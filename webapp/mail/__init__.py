"""E-mail: an outbox per commune and one for the platform, sent by a worker with retries,
and a development mailbox.

Nothing is ever sent from a request: `queue_mail` (or `queue_platform_mail`) adds the message
to an outbox in the same transaction as the change it reports, and `flask mail worker` (or
`flask mail send`) delivers it later, after turning « Mot de passe oublié » demands into
e-mails. A mail server that is down delays messages; it neither breaks a page nor loses a
message; `flask mail retry` and /federation/courriels send « failed » ones again.
"""
