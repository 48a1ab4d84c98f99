"""Custom actions of the Rasa assistant (rasa_sdk). Thin: rules live in ``cnam/``."""
