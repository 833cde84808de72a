"""Training systems: loops, losses, checkpoints and logs, kept apart from the pure models."""
