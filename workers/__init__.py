"""RQ job entry points and the cron schedule: thin wrappers around verifier.verifications."""
