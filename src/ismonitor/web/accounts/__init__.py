"""Accounts: the researcher role and organisation members invited by a link."""
