"""Demand: sales histories read and checked (``history``), statistical forecasts
(``forecast``, its ``models``, the model ``choice``, the ``batched`` path and the
``parallel`` runner), their backtest ``accuracy``, and the consensus adjustments
(``consensus``)."""
