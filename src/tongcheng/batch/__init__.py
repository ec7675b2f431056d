"""Population screening: the rule pack compiled to polars over a columnar population.

Nothing here is imported by the other commands: polars, pyarrow and numpy load only when a batch
command or this package's modules are used (``pip install 'tongcheng[batch]'``).

- ``layout``: the columnar layout of a population (nested Parquet, flat columns, JSON Lines, CSV),
  vectorised validation, and the ``Population`` the evaluator reads;
- ``compiler``: expression trees to polars expressions, with bounds (lo/hi, sure/maybe);
- ``engine``: ``BatchEvaluator`` — every rule's status and outcome per person, falling back to
  the reference evaluator per rule or per row where a construct does not compile;
- ``screen`` / ``synth``: the ``tongcheng screen`` and ``tongcheng synth`` commands;
- ``spark``: the same evaluator per partition through pyspark's ``mapInArrow``.
"""
