"""The trade-offs an executive asks about: frontiers (cost against a second aim), what
moves the plan most (the tornado), the plan under uncertain demand (risk), and the
fan-out that runs their batches of re-solves (sweep)."""
