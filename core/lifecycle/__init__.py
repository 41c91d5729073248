"""A lead's life, one module per part, each a handful of use cases taking `(uow, deps, …)`.

`intake` stores it, `routing` offers it (with `router` and `notices`), `answers` takes the
agents' and managers' answers, `deadlines` runs its clocks, `outcomes` records how it ended.
"""
