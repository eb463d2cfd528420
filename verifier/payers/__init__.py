"""Payer adapters: one module per route to a payer, chosen per payer by the directory."""
