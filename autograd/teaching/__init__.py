"""Material for teaching backprop: exercise sheets, their keys, grading, slides."""
