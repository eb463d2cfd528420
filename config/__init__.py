"""Configuration: settings from the environment, the payer directory, the facility profile."""
