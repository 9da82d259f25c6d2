"""The runner: experiment specs, seeding, local and Dask execution, results and analysis."""
