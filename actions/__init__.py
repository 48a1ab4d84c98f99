"""Custom actions of the Rasa assistant (rasa_sdk). Thin: rules live in ``cnam/``."""

from cnam.logsafe import install_log_filter

# rasa_sdk configures logging before importing this package: mask phone
# numbers and chat ids in the action server's logs too.
install_log_filter()
