"""Pure-Python helpers of the debtor follow-up addon (no ORM); import the modules directly."""
