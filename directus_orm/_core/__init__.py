"""The core: errors, requests as data, flow steps, token storage, the auth state machine. No I/O."""
