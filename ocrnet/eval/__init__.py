"""Evaluation: metrics (pure functions over annotations and predictions) and their runners."""
