"""Results out: signed webhooks to the center's CRM/EHR (Standard Webhooks).

``events`` writes an outbox row (and one delivery per subscribed endpoint) in the same
transaction as the change it reports, so nothing is lost while Redis is down;
``delivery`` sends them from the webhooks queue, one at a time per endpoint in event
order; ``endpoints`` is the admins' store; ``signing`` the spec's HMAC scheme;
``log`` the delivery log and replay.
"""
