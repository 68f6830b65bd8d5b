"""ledgerkit: parse, reconcile and summarise ledger exports."""

__version__ = "0.3.1"
