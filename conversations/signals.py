"""What the conversation room tells the rooms above it, without importing them."""

from django.dispatch import Signal

# Sent once the transaction that stored a learner's words has committed, with ``turn_id``:
# the grammar app listens and checks them (conversations never imports grammar).
turn_recorded = Signal()
