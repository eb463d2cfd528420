"""Staff access: accounts, second factor, sessions, API tokens, and the checks on routes."""
