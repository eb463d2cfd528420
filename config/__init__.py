"""Settings, payer directory and facility profile: configuration read from files and the environment."""
