"""Editions of the study: organisations, their participation, answers and report builds."""
