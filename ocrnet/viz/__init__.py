"""Pictures for people: overlays of polygons, masks and classes."""
