"""Who may write: partner organisations and their API keys."""
