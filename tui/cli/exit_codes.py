"""The `msp-tickets` exit codes (design §7): scripts branch on them."""

OK = 0
ERROR = 1
USAGE = 2
NOT_LOGGED_IN = 3  # or the portal refused the token
UNREACHABLE = 4  # the portal could not be reached; a write was queued
NOT_FOUND = 5
