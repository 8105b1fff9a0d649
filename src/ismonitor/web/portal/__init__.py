"""The organisation's side: the questionnaire and the dashboard."""
