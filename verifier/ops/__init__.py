"""Running the service: the outage contract (503 with a reason), the restart policy of
``make run``'s supervisor, and where the CLI finds the service's Redis. Nothing is
imported here: each caller imports the part it uses."""
