"""Getting training data into HDF5 files heatscope opens (no framework writes HDF5 today)."""
