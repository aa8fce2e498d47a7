"""The drivers that run flows over httpx, and the current-session context."""
