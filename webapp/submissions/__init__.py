"""One-time submission keys: a form that creates money or numbers creates it once.

`claims` is the rule (plain Python), `models` the table, `forms` the hidden field every
such form carries (payment, credit note, issue of a month, direct-debit batches later).
"""
