"""The verification, from submit to its final state: the workflow the product exists for.

One module per part (docs/design.md §2, §4): ``intake`` (submit, batch intake),
``schemas`` (the submit contract), ``lifecycle`` (states, verdicts, the run transition),
``check`` (claim, attempt, run, finish), ``retry`` (the retry policy), ``visitor`` (a
visitor's own result), ``callbacks``, ``check_many`` (a batch job's threads), ``batches``,
``maintenance`` (the scheduled jobs), ``queue`` (RQ wiring), ``changes`` (re-check diffs).
Nothing is imported here: each caller imports the part it uses.
"""
