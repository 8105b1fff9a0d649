"""The portal: a Django project over the library packages (editions, questionnaire, dashboards)."""
