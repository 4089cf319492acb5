"""Engines that run extract tasks: in-process or local processes (``local``) and a Dask cluster (``dask``).

Both take a picklable module-level task function and a list of tasks, and return the task results (markers);
the caller orders them, so outputs never depend on which engine or how many workers ran them.
"""
