"""Running imports and metric views on dask.distributed (the optional ``distributed`` extra).

``options`` reads ``--workers`` and ``--scheduler`` and never imports dask; ``dask_cluster``
starts or connects to a cluster when one is first needed and runs tasks on it."""
