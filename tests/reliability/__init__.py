"""Reliability and security: the fault matrix, bad inputs, isolation, soak and resume."""
