"""Predictors: pre-processing + model + post-processing behind one call, one per stage."""
