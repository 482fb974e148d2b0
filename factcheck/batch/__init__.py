"""Many documents, one set of tables: local processes or a dask.distributed cluster."""
