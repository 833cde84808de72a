"""Data: the synthetic engine (``synth``), real-set readers (``formats``) and augmentations."""
