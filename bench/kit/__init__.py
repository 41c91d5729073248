"""What the benches share, one module per concern (see bench/README.md, "The kit")."""
