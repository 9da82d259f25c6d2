"""Strategy tests: one StrategyCase subclass per registered strategy."""
