"""Rules: format validators and the jurisdictions' rule packs."""
