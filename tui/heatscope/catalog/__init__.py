"""What a file holds: the dataset walk, axes and labels, value kinds, virtual datasets."""
