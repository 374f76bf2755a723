"""Neural networks built from Values: neurons, layers, MLPs, losses, optimizers, datasets."""
