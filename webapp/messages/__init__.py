"""« Boîte de réception »: messages between a family and its commune, in threads.

A thread starts with a message (from the family or from the commune) and gathers the
replies of both sides. The family may hide a received message (« Messages supprimés »,
restorable); agents share one commune inbox and mark what they have handled.
"""
