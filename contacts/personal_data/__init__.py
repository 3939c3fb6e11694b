"""Personal data kept as the law asks: the suppression list, consent and retention review."""
