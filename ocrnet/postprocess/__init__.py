"""Post-processing in numpy/OpenCV: CTC decoding, DB maps -> polygons, crop rectification."""
