"""The province's mail gateway: a milter for Postfix (milter.py), the rspamd module's contract
(contrib/rspamd/) and the forward-to-check mailbox (tipline)."""
