"""msp-tickets: the portal API contract, its client, and the reference portal."""
