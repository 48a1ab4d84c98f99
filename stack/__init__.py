"""How the stack is installed, trained, started and checked (Makefile targets)."""
