"""National and organisation reports: templates, charts, HTML and PDF, in Dutch and English."""
