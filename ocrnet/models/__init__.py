"""Pure ``nn.Module``s (no I/O, no losses): the segmentation network and the recogniser."""
