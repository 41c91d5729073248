"""Clients of outside services and heavy libraries, each behind a port of core; only the
wiring (`leadrelay/`) imports them."""
